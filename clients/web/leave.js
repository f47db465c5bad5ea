// leave.js - a member's own leave: request it, see what is planned.
import * as api from './api.js';
import { h, table, clear } from './dom.js';
import { day, addDays, isoDay } from './dates.js';
import { show, announce, failed, me } from './app.js';

const KIND = { annual: 'Annual leave', training: 'Training', other: 'Other leave', sickness: 'Sickness', emergency: 'Emergency' };
const STATUS = { requested: 'Requested, waiting for your manager', approved: 'Approved', refused: 'Refused', cancelled: 'Cancelled' };

function field (id, label, control, hint) {
  return h('div', { class: 'field' }, h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: id + '-hint' }, hint) : null, control);
}

export async function leaveView () {
  const region = h('div');
  const error = h('div');
  const reload = async () => {
    const from = new Date();
    const calendar = await api.call('leave-calendar', { from: isoDay(from), to: isoDay(addDays(from, 365)) });
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
  show('Leave', region, h('h2', null, 'Request leave'),
    h('p', null, 'Your team manager approves it and plans who covers your cases while you are away.'), error, form);
  await reload();
}
