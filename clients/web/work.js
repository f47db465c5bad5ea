// work.js - "My work": the member's tasks offered and accepted, due
// first, overdue marked in words; new tasks arrive live.
import * as api from './api.js';
import { h, clear } from './dom.js';
import { day, dayTime, isoDay, isOverdue } from './dates.js';
import { show, announce, acknowledge, failed, unshown } from './app.js';

const OPEN = ['offered', 'accepted'];
let fresh = new Set();          // ids of tasks that arrived while the page was open

function byDue (a, b) {
  const x = a.due ? Date.parse(a.due) : Infinity;
  const y = b.due ? Date.parse(b.due) : Infinity;
  return x - y || a.id - b.id;
}

function dueCell (task) {
  if (!task.due) return 'No due date';
  return h('span', null, h('time', { datetime: task.due }, dayTime(task.due)),
    isOverdue(task) ? [' ', h('strong', { class: 'tag tag-overdue' }, 'Overdue')] : null);
}

function stateCell (task) {
  return h('span', null,
    h('strong', { class: 'tag tag-' + task.state }, task.state === 'offered' ? 'Offered' : 'Accepted'),
    task.priority === 'urgent' ? [' ', h('strong', { class: 'tag tag-urgent' }, 'Urgent')] : null,
    fresh.has(task.id) ? [' ', h('strong', { class: 'tag tag-new' }, 'New')] : null);
}

// An inline form under a task's row: decline with a reason, or done with evidence
function taskForm (task, kind, reload) {
  const id = kind + '-' + task.id;
  const error = h('p', { class: 'error-message', id: id + '-error', role: 'alert' });
  const fields = kind === 'decline'
    ? [h('label', { for: id + '-reason' }, 'Why are you declining "' + task.title + '"?'),
       h('textarea', { id: id + '-reason', name: 'reason', 'aria-describedby': id + '-error' })]
    : [h('label', { for: id + '-evidence' }, 'What was done for "' + task.title + '"?'),
       h('textarea', { id: id + '-evidence', name: 'evidence', 'aria-describedby': id + '-error' }),
       h('div', { class: 'field' }, h('label', { for: id + '-date' }, 'Date done'),
         h('input', { id: id + '-date', name: 'date', type: 'date', value: isoDay(new Date()), max: isoDay(new Date()) })),
       h('div', { class: 'field' }, h('label', { for: id + '-reference' }, 'Record reference (if the standard asks for one)'),
         h('input', { id: id + '-reference', name: 'reference', type: 'text' }))];
  const form = h('form', { class: 'task-form', novalidate: true }, error, ...fields,
    h('p', null, h('button', { class: 'button', type: 'submit' }, kind === 'decline' ? 'Decline task' : 'Mark as done'),
      h('button', { class: 'button secondary', type: 'button', onclick: () => form.remove() }, 'Cancel')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const data = new FormData(form);
    try {
      if (kind === 'decline') {
        if (!data.get('reason').trim()) { error.textContent = 'Give a reason for declining.'; return; }
        await api.call('task-decline', { task: task.id, reason: data.get('reason').trim() });
        announce('Task declined: ' + task.title);
      } else {
        if (!data.get('evidence').trim()) { error.textContent = 'Say what was done.'; return; }
        const body = { task: task.id, evidence: data.get('evidence').trim() };
        if (data.get('date')) body.date = data.get('date');
        if (data.get('reference').trim()) body.reference = data.get('reference').trim();
        await api.call('task-done', body);
        announce('Task done: ' + task.title);
      }
      await reload();
    } catch (e) {
      if (e.status === 401) return failed(e);
      error.textContent = e.message;
    }
  });
  return form;
}

function actions (task, reload, row) {
  const cell = h('div');
  const open = (kind) => {
    const existing = document.getElementById(kind + '-' + task.id + '-error');
    if (existing) return existing.closest('form').querySelector('textarea').focus();
    const form = taskForm(task, kind, reload);
    row.after(h('tr', null, h('td', { colspan: '5' }, form)));
    form.querySelector('textarea').focus();
  };
  if (task.state === 'offered') {
    cell.append(h('button', { class: 'button', type: 'button', 'aria-label': 'Accept ' + task.title,
      onclick: async () => {
        try { await api.call('task-accept', { task: task.id }); announce('Task accepted: ' + task.title); await reload(); }
        catch (e) { failed(e); }
      } }, 'Accept'));
    cell.append(h('button', { class: 'button warning', type: 'button', 'aria-label': 'Decline ' + task.title, onclick: () => open('decline') }, 'Decline'));
  }
  cell.append(h('button', { class: 'button secondary', type: 'button', 'aria-label': 'Mark ' + task.title + ' as done', onclick: () => open('done') }, 'Done'));
  return cell;
}

// Opt-in: a browser notification for each new task, asked for only when
// the member presses the button (never on its own)
function notifyButton () {
  if (!('Notification' in window) || Notification.permission !== 'default') return null;
  const button = h('button', { class: 'button secondary', type: 'button', id: 'notify' }, 'Notify me of new tasks in this browser');
  button.addEventListener('click', async () => {
    const answer = await Notification.requestPermission();
    announce(answer === 'granted' ? 'You will get a browser notification for each new task.' : 'No browser notifications.');
    button.remove();
  });
  return h('p', null, button);
}

export async function workView () {
  const region = h('div');
  let want = 200;         // tasks shown: a page (PROTOCOL 7.3) more at each "Show more tasks"
  const reload = async () => {
    const list = await api.pages('task-list', { scope: 'mine' }, want);
    const tasks = list.items.filter(t => OPEN.includes(t.state)).sort(byDue);
    clear(region);
    if (!tasks.length) {
      region.append(h('p', { id: 'no-tasks' }, 'You have no open tasks.'));
      return tasks;
    }
    const overdue = tasks.filter(t => isOverdue(t)).length;
    region.append(h('p', null, tasks.length + (tasks.length === 1 ? ' open task' : ' open tasks') +
      (overdue ? ', ' + overdue + ' overdue.' : '.')));
    const body = h('tbody');
    for (const task of tasks) {
      const row = h('tr', { id: 'task-' + task.id, 'data-task': task.id },
        h('th', { scope: 'row' }, task.title),
        h('td', null, h('a', { href: '#/case/' + encodeURIComponent(task.case) }, task.case)),
        h('td', null, dueCell(task)),
        h('td', null, stateCell(task)),
        h('td', null));
      row.lastChild.append(actions(task, reload, row));
      body.append(row);
    }
    const table = h('table', { id: 'my-tasks' },
      h('caption', null, 'Tasks offered to you and accepted by you, soonest due first'),
      h('thead', null, h('tr', null, ['Task', 'Case', 'Due', 'Status', 'Actions'].map(t => h('th', { scope: 'col' }, t)))),
      body);
    region.append(table);
    if (list.more) {
      const more = h('button', { class: 'button secondary', type: 'button', id: 'more-tasks' }, 'Show more tasks');
      more.addEventListener('click', () => { want = list.items.length + 200; reload().catch(failed); });
      region.append(h('p', null, more));
    }
    return tasks;
  };
  // A pushed task is acknowledged once its row is on the page: all that
  // are shown in one ACK
  const ackShown = async (tasks) => {
    const shown = [];
    for (const [id, delivery] of [...unshown]) {
      const task = tasks.find(t => t.id === id);
      if (task && !document.getElementById('task-' + id)) continue;
      unshown.delete(id);
      shown.push(delivery);
    }
    await acknowledge(shown);
  };
  show('My work', h('p', { class: 'lede' }, 'Today is ' + day(new Date()) + '. New tasks appear here as they are given to you.'), notifyButton(), region);
  // Live: a pushed task is shown, then acknowledged
  const onTask = async (event) => {
    if (!document.body.contains(region)) return document.removeEventListener('podtask', onTask);
    const { task } = event.detail;
    fresh.add(task.id);
    try {
      const tasks = await reload();
      if (document.getElementById('task-' + task.id))
        announce('New task: ' + task.title + (task.due ? ', due ' + day(task.due) : ''));
      await ackShown(tasks);
    } catch (e) { failed(e); }
  };
  document.addEventListener('podtask', onTask);
  await reload().then(ackShown);
}
