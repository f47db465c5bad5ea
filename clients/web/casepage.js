// casepage.js - a case: lead, co-workers, who covers today, chronology,
// open tasks, a note; and the list of the pod's cases.
import * as api from './api.js';
import { h, table, clear } from './dom.js';
import { day, dayTime, isOverdue } from './dates.js';
import { show, announce, failed, isManager, me } from './app.js';

function caseLink (ref) {
  return h('a', { href: '#/case/' + encodeURIComponent(ref) }, ref);
}

// A page (PROTOCOL 7.3: 200 by default) at a time; "Show more cases" asks
// for the next one
export async function casesView (want = 200) {
  const list = await api.pages('case-list', { status: 'open' }, want);
  const rows = list.items.map(c => [caseLink(c.ref), c.kind === 'child' ? 'Child' : 'Foster carer household',
    c.lead || 'None', c.coworkers.join(', ') || 'None', day(c.opened)]);
  const more = h('button', { class: 'button secondary', type: 'button', id: 'more-cases' }, 'Show more cases');
  more.addEventListener('click', () => casesView(list.items.length + 200).catch(failed));
  show('Cases', rows.length
    ? table('Open cases of your pod', ['Case', 'Kind', 'Lead worker', 'Co-workers', 'Opened'], rows)
    : h('p', null, 'Your pod has no open cases.'),
  list.more ? h('p', null, more) : null);
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

// Reassign (team manager) or hand off (the task's holder) from a task's line:
// a select of the pod's members and a button; podd checks who may do it
function moveForm (task, members, reload) {
  const manager = isManager();
  const mine = task.assignee === me().handle;
  if (!manager && !mine) return '';
  const verb = manager ? 'Reassign' : 'Hand off';
  const id = (manager ? 'reassign-' : 'handoff-') + task.id;
  const error = h('p', { class: 'error-message', id: id + '-error', role: 'alert' });
  const to = h('select', { id, name: 'to', 'aria-describedby': id + '-error' },
    members.filter(m => m.handle !== task.assignee && m.active !== false)
      .map(m => h('option', { value: m.handle }, m.name + ' (' + m.handle + ')')));
  const form = h('form', { class: 'inline-form', novalidate: true },
    h('label', { for: id }, verb + ' "' + task.title + '" to'), ' ', to, ' ',
    h('button', { class: 'button secondary', type: 'submit' }, verb), error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!to.value) { error.textContent = 'Choose a member.'; return; }
    try {
      await api.call(manager ? 'task-reassign' : 'task-handoff', { task: task.id, to: to.value });
      announce((manager ? 'Reassigned: ' : 'Handed off: ') + task.title + ' to ' + to.value);
      await reload();
    } catch (e) { if (e.status === 401) failed(e); else error.textContent = e.message; }
  });
  return form;
}

const ANSWER = { ACCEPTED: 'Accepted', DECLINED: 'Declined', TENTATIVE: 'Maybe (tentative)', 'NEEDS-ACTION': 'No answer yet' };

// The case's meetings (tasks podd schedules as meetings) and each attendee's answer
function meetingsSection (meetings) {
  if (!meetings.length) return h('p', { id: 'meetings' }, 'No meetings are scheduled on this case.');
  return h('div', { id: 'meetings' }, meetings.map(({ task, meeting }) => {
    const where = [meeting.location, meeting.online ? 'online' : ''].filter(Boolean).join(', ') || 'Place not given';
    return h('section', { class: 'meeting', 'aria-label': 'Meeting: ' + task.title },
      h('h3', null, task.title),
      h('p', null, (meeting.status === 'cancelled' ? 'Cancelled. Was ' : '') + dayTime(meeting.start) + ' to ' + dayTime(meeting.end) + ', ' + where + '.'),
      table('Who is invited to "' + task.title + '" and their answers',
        ['Attendee', 'Agency or pod', 'Answer', 'Answered'],
        meeting.attendees.map(a => [a.name || a.email, a.kind === 'partner' ? 'Partner' : 'Pod member',
          ANSWER[a.partstat] || a.partstat, a.replied ? dayTime(a.replied) : 'Not yet']),
        { class: 'attendees' }));
  }));
}

// The chronology: the newest CHRONOLOGY_PAGE entries (PROTOCOL 7.3, 8.3);
// "Show older entries" asks for the page before them, shown above
const CHRONOLOGY_PAGE = 50;

function chronologySection (ref, kase) {
  const region = h('div', { id: 'chronology-section' });
  let entries = kase.chronology;
  let next = kase.chronology_next;
  const more = h('button', { class: 'button secondary', type: 'button', id: 'more-chronology' }, 'Show older entries');
  more.addEventListener('click', async () => {
    try {
      const page = await api.call('case-show', { ref, limit: CHRONOLOGY_PAGE, after: next });
      entries = page.chronology.concat(entries);
      next = page.chronology_next;
      render();
      // focus stays where the reader was: on the button, or on the table once it is whole
      (next ? more : region.querySelector('#chronology')).focus();
      announce(page.chronology.length + ' older ' + (page.chronology.length === 1 ? 'entry' : 'entries') + ' shown');
    } catch (e) { failed(e); }
  });
  const render = () => {
    clear(region).append(entries.length
      ? table('Chronology of ' + ref + ', oldest first' + (next ? ' (the latest ' + entries.length + ' entries)' : ''),
        ['Date', 'Kind', 'Entry', 'By'],
        entries.map(e => [day(e.date + 'T12:00:00Z'), e.kind, e.text, e.author]), { id: 'chronology', tabindex: '-1' })
      : h('p', null, 'Nothing recorded yet.'));
    if (next) region.prepend(h('p', null, more));
  };
  render();
  return region;
}

export async function caseView (ref) {
  const region = h('div');
  const reload = async () => {
    const [kase, contact, tasks, members] = await Promise.all([
      api.call('case-show', { ref, limit: CHRONOLOGY_PAGE }),
      api.call('case-contact', { ref }).catch(() => null),
      api.call('task-list', { scope: 'case', case: ref }),
      api.call('member-list', me().member.pod ? { pod: me().member.pod } : {}).then(r => r.items).catch(() => [])]);
    const open = tasks.items.filter(t => ['open', 'offered', 'accepted'].includes(t.state));
    // podd answers MEETING-ATTENDEES only for a scheduled meeting task; others are skipped
    const meetings = (await Promise.all(tasks.items.filter(t => t.state !== 'cancelled' && t.state !== 'declined').slice(0, 50)
      .map(task => api.call('meeting-attendees', { task: task.id }).then(meeting => ({ task, meeting }), () => null))))
      .filter(Boolean).sort((a, b) => Date.parse(a.meeting.start) - Date.parse(b.meeting.start));
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
      open.length ? table('Open tasks on ' + ref, ['Task', 'Held by', 'Due', 'Status', 'Move'],
        open.map(t => [t.title, t.assignee || 'Nobody yet',
          t.due ? h('span', null, dayTime(t.due), isOverdue(t) ? [' ', h('strong', { class: 'tag tag-overdue' }, 'Overdue')] : null) : 'No due date',
          t.state, moveForm(t, members, reload)]), { id: 'case-tasks' })
        : h('p', null, 'No open tasks.'),
      h('h2', null, 'Meetings'),
      meetingsSection(meetings),
      h('h2', null, 'Chronology'),
      chronologySection(ref, kase),
      h('h2', null, 'Add to the chronology'),
      noteForm(ref, reload));
  };
  show('Case ' + ref, region);
  await reload();
}
