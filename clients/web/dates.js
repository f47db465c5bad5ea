// dates.js - every date and time people see is Europe/London, never UTC.
const ZONE = 'Europe/London';
const dayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, weekday: 'short', day: 'numeric', month: 'short' });
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hour12: false });
const isoFormat = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

function toDate (value) {
  if (!value) return null;
  const date = value instanceof Date ? value : new Date(value);
  return isNaN(date) ? null : date;
}

// "Mon 7 Dec"
export function day (value) {
  const date = toDate(value);
  return date ? dayFormat.format(date).replace(',', '') : '';
}

// "Mon 7 Dec, 17:00"
export function dayTime (value) {
  const date = toDate(value);
  return date ? day(date) + ', ' + timeFormat.format(date) : '';
}

// "2026-12-07": the London calendar date, for podd's date fields
export function isoDay (value) {
  const date = toDate(value);
  return date ? isoFormat.format(date) : '';
}

export function addDays (value, days) {
  const date = new Date(toDate(value).getTime());
  date.setUTCDate(date.getUTCDate() + days);
  return date;
}

export function isOverdue (task, now = new Date()) {
  const due = toDate(task.due);
  return !!due && due < now && (task.state === 'offered' || task.state === 'accepted');
}
