// leave.js - a member's own leave: request it, see what is planned.
import * as api from './api.js';
import { h, table, clear } from './dom.js';
import { day, dayTime, addDays, isoDay } from './dates.js';
import { show, announce, failed, me, isManager } from './app.js';

const KIND = { annual: 'Annual leave', training: 'Training', other: 'Other leave', sickness: 'Sickness', emergency: 'Emergency' };
const STATUS = { requested: 'Requested, waiting for your manager', approved: 'Approved', refused: 'Refused', cancelled: 'Cancelled' };

function field (id, label, control, hint) {
  return h('div', { class: 'field' }, h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: id + '-hint' }, hint) : null, control);
}

// The team manager's answer to a request: approve, or refuse with a reason
function refuseForm (absence, what, reload) {
  const id = 'refuse-' + absence.id;
  const error = h('p', { class: 'error-message', id: id + '-error', role: 'alert' });
  const reason = h('textarea', { id: id + '-reason', name: 'reason', 'aria-describedby': id + '-error' });
  const form = h('form', { class: 'task-form', novalidate: true }, error,
    h('label', { for: id + '-reason' }, 'Why are you refusing ' + what + '?'), reason,
    h('p', null, h('button', { class: 'button warning', type: 'submit' }, 'Refuse leave'),
      h('button', { class: 'button secondary', type: 'button', onclick: () => form.closest('tr').remove() }, 'Cancel')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!reason.value.trim()) { error.textContent = 'Give a reason for refusing.'; return reason.focus(); }
    try {
      await api.call('leave-refuse', { absence: absence.id, reason: reason.value.trim() });
      announce('Leave refused: ' + what);
      await reload();
    } catch (e) {
      if (e.status === 401) return failed(e);
      error.textContent = e.message;
    }
  });
  return form;
}

function requestsTable (pending, reload) {
  const body = h('tbody');
  for (const a of pending) {
    const what = a.member + "'s " + KIND[a.kind].toLowerCase() + ' from ' + day(a.from) + ' to ' + (a.to ? day(a.to) : 'not known');
    const row = h('tr', { id: 'request-' + a.id },
      h('th', { scope: 'row' }, a.member), h('td', null, KIND[a.kind]),
      h('td', null, day(a.from)), h('td', null, a.to ? day(a.to) : 'Not known'),
      h('td', null, a.note || ''), h('td', null));
    row.lastChild.append(
      h('button', { class: 'button', type: 'button', 'aria-label': 'Approve ' + what,
        onclick: async () => {
          try { await api.call('leave-approve', { absence: a.id }); announce('Leave approved: ' + what); await reload(); }
          catch (e) { failed(e); }
        } }, 'Approve'),
      h('button', { class: 'button warning', type: 'button', 'aria-label': 'Refuse ' + what,
        onclick: () => {
          const open = document.getElementById('refuse-' + a.id + '-reason');
          if (open) return open.focus();
          const form = refuseForm(a, what, reload);
          row.after(h('tr', null, h('td', { colspan: '6' }, form)));
          form.querySelector('textarea').focus();
        } }, 'Refuse'));
    body.append(row);
  }
  return h('table', { id: 'leave-requests' },
    h('caption', null, 'Leave requests waiting for your answer'),
    h('thead', null, h('tr', null, ['Member', 'Kind', 'From', 'To', 'Note', 'Answer'].map(t => h('th', { scope: 'col' }, t)))),
    body);
}

export async function leaveView () {
  const region = h('div');
  const requests = h('div');
  const error = h('div');
  const reload = async () => {
    const from = new Date();
    const calendar = await api.call('leave-calendar', { from: isoDay(from), to: isoDay(addDays(from, 365)) });
    if (isManager()) {
      const pending = calendar.items.filter(a => a.status === 'requested' && a.member !== me().handle);
      clear(requests).append(h('h2', null, 'Requests to answer'), pending.length
        ? requestsTable(pending, reload)
        : h('p', { id: 'leave-requests' }, 'No leave requests are waiting for your answer.'));
    }
    const mine = calendar.items.filter(a => a.member === me().handle);
    clear(region).append(mine.length
      ? table('Your leave in the coming year', ['From', 'To', 'Kind', 'Status'],
        mine.map(a => [day(a.from), a.to ? day(a.to) : 'Not known', KIND[a.kind], STATUS[a.status] || a.status]), { id: 'my-leave' })
      : h('p', { id: 'my-leave' }, 'You have no leave planned in the coming year.'));
  };
  const kind = h('select', { id: 'leave-kind', name: 'kind' },
    ['annual', 'training', 'other'].map(k => h('option', { value: k }, KIND[k])));
  const from = h('input', { id: 'leave-from', name: 'from', type: 'date', min: isoDay(new Date()), 'aria-describedby': 'leave-from-hint' });
  const to = h('input', { id: 'leave-to', name: 'to', type: 'date', min: isoDay(new Date()), 'aria-describedby': 'leave-to-hint' });
  const note = h('textarea', { id: 'leave-note', name: 'note' });
  const form = h('form', { novalidate: true },
    field('leave-kind', 'Kind of leave', kind),
    field('leave-from', 'First day away', from, 'From the start of this day.'),
    field('leave-to', 'Last day away', to, 'To the end of this working day (17:00).'),
    field('leave-note', 'Note for your manager (optional)', note),
    h('button', { class: 'button', type: 'submit' }, 'Request leave'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(error);
    if (!from.value || !to.value) {
      error.append(h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' }, h('h2', null, 'There is a problem'), h('p', null, 'Give the first and the last day.')));
      return error.firstChild.focus();
    }
    const body = { kind: kind.value, from: from.value, to: to.value };
    if (note.value.trim()) body.note = note.value.trim();
    try {
      const absence = await api.call('leave-request', body);
      announce('Leave ' + (absence.status === 'approved' ? 'entered' : 'requested') + ': ' + day(absence.from) + ' to ' + day(absence.to));
      form.reset();
      await reload();
    } catch (e) {
      if (e.status === 401) return failed(e);
      error.append(h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' }, h('h2', null, 'There is a problem'), h('p', null, e.message)));
      error.firstChild.focus();
    }
  });
  show('Leave', region, h('p', null, h('a', { href: '#/digest' }, 'What happened while you were away (your return digest)')),
    requests, h('h2', null, 'Request leave'),
    h('p', null, 'Your team manager approves it and plans who covers your cases while you are away.'), error, form);
  await reload();
}

const STATE = { open: 'Not yet offered', offered: 'Offered', accepted: 'Accepted', done: 'Done', declined: 'Declined', cancelled: 'Cancelled' };

// The return digest: what happened on the member's cases while they were away
export async function digestView () {
  let digest;
  try {
    digest = await api.call('digest', {});
  } catch (e) {
    if (e.status !== 404) throw e;
    return show('Back from leave', h('p', { id: 'digest' }, 'You have no return digest: it is made when you come back from leave.'));
  }
  const none = (text) => h('p', null, text);
  show('Back from leave',
    h('p', { class: 'lede', id: 'digest' }, 'You were away from ' + dayTime(digest.from) + ' to ' + dayTime(digest.to) + '.'),
    h('h2', null, 'Still open'),
    digest.open.length ? table('Tasks still open on your cases or held by you, soonest due first', ['Task', 'Case', 'Due', 'Held by', 'Status'],
      digest.open.map(t => [t.title, h('a', { href: '#/case/' + encodeURIComponent(t.case) }, t.case), t.due ? dayTime(t.due) : 'No due date',
        t.assignee || 'Nobody yet', STATE[t.state] || t.state]), { id: 'digest-open' }) : none('Nothing is open.'),
    h('h2', null, 'Done while you were away'),
    digest.done.length ? table('Tasks done on your cases', ['Task', 'Done by', 'When'],
      digest.done.map(t => [t.title, t.by, dayTime(t.at)]), { id: 'digest-done' }) : none('No tasks were done on your cases.'),
    h('h2', null, 'New tasks'),
    digest.new_tasks.length ? table('Tasks created on your cases', ['Task', 'Held by', 'Status'],
      digest.new_tasks.map(t => [t.title, t.assignee || 'Nobody yet', STATE[t.state] || t.state]), { id: 'digest-new' }) : none('No new tasks.'),
    h('h2', null, 'Chronology'),
    digest.chronology.length ? table('Chronology entries added to your cases', ['Case', 'Date', 'Kind', 'Entry', 'By'],
      digest.chronology.map(e => [e.case, day(e.date + 'T12:00:00Z'), e.kind, e.text, e.author]), { id: 'digest-chronology' })
      : none('Nothing was added to the chronology.'));
}
