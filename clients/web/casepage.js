// casepage.js - a case: lead, co-workers, who covers today, chronology,
// open tasks, a note; and the list of the pod's cases.
import * as api from './api.js';
import { h, table, clear } from './dom.js';
import { day, dayTime, isOverdue } from './dates.js';
import { show, announce, failed } from './app.js';

function caseLink (ref) {
  return h('a', { href: '#/case/' + encodeURIComponent(ref) }, ref);
}

export async function casesView () {
  const list = await api.call('case-list', { status: 'open' });
  const rows = list.items.map(c => [caseLink(c.ref), c.kind === 'child' ? 'Child' : 'Foster carer household',
    c.lead || 'None', c.coworkers.join(', ') || 'None', day(c.opened)]);
  show('Cases', rows.length
    ? table('Open cases of your pod', ['Case', 'Kind', 'Lead worker', 'Co-workers', 'Opened'], rows)
    : h('p', null, 'Your pod has no open cases.'));
}

function noteForm (ref, reload) {
  const error = h('p', { class: 'error-message', role: 'alert', id: 'note-error' });
  const text = h('textarea', { id: 'note-text', name: 'text', 'aria-describedby': 'note-error' });
  const kind = h('select', { id: 'note-kind', name: 'kind' },
    ['note', 'concern', 'allegation', 'action', 'event'].map(k => h('option', { value: k }, k[0].toUpperCase() + k.slice(1))));
  const form = h('form', { novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'note-kind' }, 'Kind of entry'), kind),
    h('div', { class: 'field' }, h('label', { for: 'note-text' }, 'Entry'), text), error,
    h('button', { class: 'button', type: 'submit' }, 'Add to chronology'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!text.value.trim()) { error.textContent = 'Write the entry first.'; return; }
    try {
      await api.call('case-note', { ref, text: text.value.trim(), kind: kind.value });
      announce('Added to the chronology');
      await reload();
    } catch (e) { if (e.status === 401) failed(e); else error.textContent = e.message; }
  });
  return form;
}

export async function caseView (ref) {
  const region = h('div');
  const reload = async () => {
    const [kase, contact, tasks] = await Promise.all([
      api.call('case-show', { ref }),
      api.call('case-contact', { ref }).catch(() => null),
      api.call('task-list', { scope: 'case', case: ref })]);
    const open = tasks.items.filter(t => ['open', 'offered', 'accepted'].includes(t.state));
    clear(region).append(
      h('dl', { class: 'summary-list' },
        h('dt', null, 'Kind'), h('dd', null, kase.kind === 'child' ? 'Child' : 'Foster carer household'),
        h('dt', null, 'Lead worker'), h('dd', { id: 'case-lead' }, kase.lead || 'None'),
        h('dt', null, 'Co-workers'), h('dd', null, kase.coworkers.join(', ') || 'None'),
        h('dt', null, 'Contact today'), h('dd', { id: 'case-contact' }, contact
          ? contact.name + ' (' + contact.contact + '), ' + contact.reason : 'Nobody can be named'),
        h('dt', null, 'Status'), h('dd', null, kase.status === 'open' ? 'Open since ' + day(kase.opened) : 'Closed ' + day(kase.closed)),
        kase.summary ? [h('dt', null, 'Summary'), h('dd', null, kase.summary)] : null),
      h('h2', null, 'Open tasks'),
      open.length ? table('Open tasks on ' + ref, ['Task', 'Held by', 'Due', 'Status'],
        open.map(t => [t.title, t.assignee || 'Nobody yet',
          t.due ? h('span', null, dayTime(t.due), isOverdue(t) ? [' ', h('strong', { class: 'tag tag-overdue' }, 'Overdue')] : null) : 'No due date',
          t.state]))
        : h('p', null, 'No open tasks.'),
      h('h2', null, 'Chronology'),
      kase.chronology.length ? table('Chronology of ' + ref + ', oldest first', ['Date', 'Kind', 'Entry', 'By'],
        kase.chronology.map(e => [day(e.date + 'T12:00:00Z'), e.kind, e.text, e.author]), { id: 'chronology' })
        : h('p', null, 'Nothing recorded yet.'),
      h('h2', null, 'Add to the chronology'),
      noteForm(ref, reload));
  };
  show('Case ' + ref, region);
  await reload();
}
