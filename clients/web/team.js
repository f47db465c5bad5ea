// team.js - the team manager's views: leave calendar and load (SVG, each
// with a table holding the same facts), the cover plan for an absence,
// and compliance with the practice standards.
import * as api from './api.js';
import { h, s, table, clear } from './dom.js';
import { day, dayTime, addDays, isoDay } from './dates.js';
import { show, announce, failed } from './app.js';

const WEEKS = 8;
const KIND = { annual: 'Annual leave', training: 'Training', other: 'Other leave', sickness: 'Sickness', emergency: 'Emergency' };
const UNPLANNED = ['sickness', 'emergency'];

// Monday 00:00 (London, near enough for a picture) of this week
function thisMonday () {
  const now = new Date();
  const monday = addDays(now, -((now.getUTCDay() + 6) % 7));
  return new Date(isoDay(monday) + 'T00:00:00Z');
}

function patterns () {
  return s('defs', null,
    s('pattern', { id: 'hatch', width: '6', height: '6', patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      s('rect', { width: '6', height: '6', fill: '#ffffff' }), s('rect', { width: '3', height: '6', fill: '#d4351c' })),
    s('pattern', { id: 'dots', width: '6', height: '6', patternUnits: 'userSpaceOnUse' },
      s('rect', { width: '6', height: '6', fill: '#ffffff' }), s('circle', { cx: '3', cy: '3', r: '1.6', fill: '#0b0c0c' })));
}

// Leave calendar: members down, weeks across, a bar for each absence
function leaveChart (members, absences, from) {
  const left = 170, week = 90, row = 30, top = 40;
  const width = left + WEEKS * week + 10, height = top + members.length * row + 10;
  const span = WEEKS * 7 * 86400000;
  const x = (time) => left + Math.max(0, Math.min(1, (time - from.getTime()) / span)) * WEEKS * week;
  const svg = s('svg', { class: 'chart', id: 'leave-chart', role: 'img', viewBox: `0 0 ${width} ${height}`,
    width: String(width), 'aria-labelledby': 'leave-chart-title' },
    s('title', { id: 'leave-chart-title' }, 'Leave calendar: who is away in the next ' + WEEKS + ' weeks. The table below gives the same facts.'),
    patterns());
  for (let w = 0; w < WEEKS; w++) {
    const wx = left + w * week;
    svg.append(s('line', { x1: wx, y1: top - 5, x2: wx, y2: height - 10, stroke: '#b1b4b6' }),
      s('text', { x: wx + 4, y: top - 12, 'font-size': '13', fill: '#0b0c0c' }, day(addDays(from, 7 * w))));
  }
  members.forEach((m, i) => {
    const y = top + i * row;
    svg.append(s('text', { x: 4, y: y + 19, 'font-size': '14', fill: '#0b0c0c' }, m.name),
      s('line', { x1: 0, y1: y + row, x2: width, y2: y + row, stroke: '#e5e6e7' }));
    for (const a of absences.filter(a => a.member === m.member)) {
      const start = Date.parse(a.from), end = a.to ? Date.parse(a.to) : from.getTime() + span;
      const x1 = x(start), x2 = Math.max(x(end), x1 + 4);
      const requested = a.status === 'requested';
      svg.append(s('rect', { x: x1, y: y + 5, width: x2 - x1, height: row - 10,
        fill: requested ? '#ffffff' : UNPLANNED.includes(a.kind) ? 'url(#hatch)' : '#1d70b8',
        stroke: '#0b0c0c', 'stroke-width': requested ? '2' : '1', 'stroke-dasharray': requested ? '4 3' : null },
        s('title', null, m.name + ': ' + KIND[a.kind] + (requested ? ' (requested)' : '') + ', ' + day(a.from) + ' to ' + (a.to ? day(a.to) : 'not known'))));
    }
  });
  return svg;
}

function legend () {
  return h('ul', { class: 'legend', 'aria-label': 'Key to the leave calendar' },
    h('li', null, h('span', { class: 'swatch sw-annual', 'aria-hidden': 'true' }), 'Planned leave (solid)'),
    h('li', null, h('span', { class: 'swatch sw-sickness', 'aria-hidden': 'true' }), 'Sickness or emergency (striped)'),
    h('li', null, h('span', { class: 'swatch sw-requested', 'aria-hidden': 'true' }), 'Requested, not yet approved (dashed)'));
}

// Load: three bars per member, each labelled with its number
function loadChart (items) {
  const left = 170, bar = 12, gap = 4, group = 3 * (bar + gap) + 12, top = 10;
  const max = Math.max(1, ...items.flatMap(i => [i.cases_led, i.open_tasks, i.due_in_period]));
  const scale = 480 / max;
  const width = left + 620, height = top + items.length * group + 10;
  const svg = s('svg', { class: 'chart', id: 'load-chart', role: 'img', viewBox: `0 0 ${width} ${height}`,
    width: String(width), 'aria-labelledby': 'load-chart-title' },
    s('title', { id: 'load-chart-title' }, 'Load per member: cases led, open tasks and tasks due in the period. The table below gives the same numbers.'),
    patterns());
  const series = [['cases_led', 'cases led', '#1d70b8'], ['open_tasks', 'open tasks', 'url(#dots)'], ['due_in_period', 'due', '#505a5f']];
  items.forEach((item, i) => {
    const y = top + i * group;
    svg.append(s('text', { x: 4, y: y + 26, 'font-size': '14', fill: '#0b0c0c' }, item.name));
    series.forEach(([key, label, fill], k) => {
      const by = y + k * (bar + gap);
      const w = Math.max(2, item[key] * scale);
      svg.append(s('rect', { x: left, y: by, width: w, height: bar, fill, stroke: '#0b0c0c', 'stroke-width': '1' }),
        s('text', { x: left + w + 6, y: by + bar - 1, 'font-size': '12', fill: '#0b0c0c' }, item[key] + ' ' + label));
    });
  });
  return svg;
}

const PAGE = 50;          // failed messages asked for at a time

const MAIL_KIND = { before: 'Reminder before the due date', overdue: 'Overdue reminder', escalation: 'Overdue, copied to the manager' };

// Failed mail of the pod: who did not get it and why, with a retry button;
// a page (PROTOCOL 7.3) at a time, "Show more failed mail" for the next
function failedMail (queue, reload) {
  const region = h('div', { id: 'failed-mail' });
  const status = h('div');
  const more = h('button', { class: 'button secondary', type: 'button', id: 'more-mail' }, 'Show more failed mail');
  let shown = queue.items.length;
  more.addEventListener('click', async () => {
    try { render(await reload(shown + PAGE)); } catch (e) { failed(e); }
  });
  const render = (list) => {
    const items = list.items;
    shown = items.length;
    clear(region).append(status, items.length
      ? table('Messages that could not be sent, newest first', ['Subject', 'Kind', 'Not delivered to', 'Gave up', 'Retry'],
        items.map(m => [m.subject, MAIL_KIND[m.kind] || m.kind.replace(/-/g, ' '),
          h('ul', { class: 'plain-list' }, m.recipients.filter(r => r.state === 'failed')
            .map(r => h('li', null, r.address + (r.code ? ' (' + r.code + ' ' + r.text + ')' : r.text ? ' (' + r.text + ')' : '')))),
          m.done ? dayTime(m.done) : '',
          h('button', { class: 'button secondary', type: 'button', 'aria-label': 'Retry "' + m.subject + '"',
            onclick: async () => {
              clear(status);
              try {
                await api.call('mail-retry', { id: m.id });
                announce('Sending again: ' + m.subject);
                render(await reload(shown));
                const box = h('div', { class: 'notice', role: 'status', tabindex: '-1' }, 'Sending "' + m.subject + '" again.');
                status.append(box);
                box.focus();
              } catch (e) { failed(e); }
            } }, 'Retry')]))
      : h('p', null, 'No mail has failed.'));
    if (list.more) region.append(h('p', null, more));
  };
  render(queue);
  return region;
}

export async function teamView () {
  const from = thisMonday();
  const to = addDays(from, WEEKS * 7);
  const period = { from: from.toISOString().replace('.000', ''), to: to.toISOString().replace('.000', '') };
  const failedQueue = (want = PAGE) => api.pages('mail-queue', { state: 'failed', limit: PAGE }, want);
  const [calendar, load, mail] = await Promise.all([api.call('leave-calendar', period), api.call('load', period),
    failedQueue().catch(e => { if (e.status === 401) throw e; return null; })]);
  const absences = calendar.items.filter(a => a.status === 'approved' || a.status === 'requested');
  const members = load.items;
  const leaveRows = absences.map(a => {
    const who = members.find(m => m.member === a.member);
    const planTo = a.to || addDays(new Date(a.from), 14).toISOString().replace('.000', '');
    return [who ? who.name : a.member, KIND[a.kind], day(a.from), a.to ? day(a.to) : 'Not known',
      a.status === 'approved' ? 'Approved' : 'Requested',
      a.cover.length ? a.cover.map(c => (c.case || 'task ' + c.task) + ': ' + c.cover).join('; ') : 'No cover yet',
      h('a', { href: '#/cover/' + [a.member, a.from, planTo, a.id].map(encodeURIComponent).join('/') },
        'Plan cover', h('span', { class: 'visually-hidden' }, ' for ' + (who ? who.name : a.member)))];
  });
  show('Team',
    h('p', { class: 'lede' }, 'Weeks from ' + day(from) + ' to ' + day(addDays(to, -1)) + '.'),
    h('h2', null, 'Leave calendar'),
    leaveChart(members, absences, from), legend(),
    absences.length
      ? table('Leave in these weeks (the facts in the calendar above)', ['Member', 'Kind', 'From', 'To', 'Status', 'Cover', 'Cover plan'], leaveRows, { id: 'leave-table' })
      : h('p', { id: 'leave-table' }, 'Nobody is away in these weeks.'),
    h('h2', null, 'Load'),
    loadChart(members),
    table('Load per member (the numbers in the chart above)',
      ['Member', 'Role', { text: 'Cases led', num: true }, { text: 'Open tasks', num: true }, { text: 'Due in period', num: true }, { text: 'Covering', num: true }, { text: 'Days away', num: true }],
      members.map(m => [m.name, m.role.replace(/-/g, ' '), { num: m.cases_led }, { num: m.open_tasks }, { num: m.due_in_period }, { num: m.covering }, { num: m.away_days }]),
      { id: 'load-table' }),
    mail ? [h('h2', null, 'Failed mail'), failedMail(mail, failedQueue)] : null);
}

export async function coverView (member, from, to, absence) {
  // A plan for an absence takes the absence's own period: dates go only without it
  const request = absence && /^\d+$/.test(absence)
    ? { member, absence: Number(absence) }
    : { member, from, to };
  const plan = await api.call('cover-plan', request);
  const status = h('div');
  const selects = [];
  const rows = plan.lines.map((line, i) => {
    const label = line.task ? 'Task ' + line.title + ' (' + line.case + ')' : 'Case ' + line.case;
    const select = h('select', { id: 'cover-' + i, name: 'cover-' + i, 'data-case': line.case, 'data-task': line.task ?? '' },
      line.cover ? null : h('option', { value: '' }, 'Nobody free'),
      line.candidates.map(c => h('option', { value: c.member, selected: c.member === line.cover },
        c.member + (c.knows ? ', knows the family' : '') + ', load ' + c.load)));
    const proposed = h('span', null, line.cover || 'Nobody', h('br'), h('span', { class: 'hint' }, line.reason));
    if (!line.candidates.length) return [label, proposed, line.task ? 'Goes to whoever covers the case' : 'Nobody else can cover'];
    selects.push({ line, select });
    return [label, proposed,
      h('span', null, h('label', { for: 'cover-' + i, class: 'visually-hidden' }, 'Cover for ' + label), select)];
  });
  const accept = h('button', { class: 'button', type: 'submit' }, 'Accept cover plan');
  const form = h('form', { novalidate: true },
    rows.length ? table('Cover for each case and task', ['Case or task', 'Proposed', 'Cover'], rows, { id: 'cover-table' })
      : h('p', null, 'Nothing to cover in this period.'),
    rows.length ? accept : null);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(status);
    try {
      // Accepted as a whole: podd stores its plan, then each changed case line
      await api.call('cover-plan', { ...request, accept: true });
      let changed = 0;
      for (const { line, select } of selects) {
        if (!line.task && select.value && select.value !== line.cover) {
          await api.call('cover-set', { case: line.case, by: select.value, absence: plan.absence ?? undefined });
          changed++;
        }
      }
      const box = h('div', { class: 'notice', role: 'status', id: 'cover-done', tabindex: '-1' },
        'Cover plan accepted' + (changed ? ', with ' + changed + (changed === 1 ? ' change.' : ' changes.') : '.'));
      status.append(box);
      box.focus();
      announce('Cover plan accepted');
    } catch (e) { failed(e); }
  });
  show('Cover plan for ' + member,
    h('p', { class: 'lede' }, 'From ' + dayTime(plan.from) + ' to ' + dayTime(plan.to) + '.'),
    h('p', null, 'Each line proposes someone who knows the family where possible, with the load spread. Change any case line, then accept the plan as a whole.'),
    status, form);
}

function casesCell (refs, what) {
  if (!refs.length) return '0';
  return h('details', null,
    h('summary', null, String(refs.length), h('span', { class: 'visually-hidden' }, ' ' + what)),
    h('ul', null, refs.map(ref => h('li', null, h('a', { href: '#/case/' + encodeURIComponent(ref) }, ref)))));
}

function complianceChart (standards) {
  const left = 10, width = 760, row = 46, top = 10;
  const series = [['on_time', 'on time', '#00703c'], ['late', 'late', '#f47738'], ['overdue', 'overdue', 'url(#hatch)'], ['due_soon', 'due soon', 'url(#dots)']];
  const svg = s('svg', { class: 'chart', id: 'compliance-chart', role: 'img', viewBox: `0 0 ${width} ${top + standards.length * row + 10}`,
    width: String(width), 'aria-labelledby': 'compliance-chart-title' },
    s('title', { id: 'compliance-chart-title' }, 'Compliance per standard. The table below gives the same numbers.'), patterns());
  standards.forEach((st, i) => {
    const y = top + i * row;
    const total = Math.max(1, series.reduce((n, [k]) => n + st[k], 0));
    svg.append(s('text', { x: left, y: y + 12, 'font-size': '13', fill: '#0b0c0c' }, st.title));
    let x = left;
    for (const [key, label, fill] of series) {
      if (!st[key]) continue;
      const w = (st[key] / total) * (width - 2 * left);
      svg.append(s('rect', { x, y: y + 18, width: w, height: 20, fill, stroke: '#0b0c0c' },
        s('title', null, st.title + ': ' + st[key] + ' ' + label)));
      x += w;
    }
  });
  return svg;
}

// The tasks behind the numbers that no count may hide: overdue (whatever
// the period), cancelled (who, when, why), held by nobody (why), and
// statutory work with no standard attached
function caseLink (ref) {
  return h('a', { href: '#/case/' + encodeURIComponent(ref) }, ref);
}

function hiddenNothing (report) {
  const parts = [];
  const overdue = report.overdue_tasks || [], cancelled = report.cancelled_tasks || [];
  const nobody = report.unassigned_tasks || [], loose = report.unattached_tasks || [];
  if (overdue.length) {
    parts.push(table('Overdue now, whatever the period',
      ['Task', 'Case', 'Due', 'Held by', 'Standard'],
      overdue.map(t => [t.title, caseLink(t.case), dayTime(t.due), t.assignee || 'nobody', t.standard]),
      { id: 'compliance-overdue' }));
  }
  if (cancelled.length) {
    parts.push(table('Cancelled, with who cancelled and why',
      ['Task', 'Case', 'Standard', 'Cancelled by', 'When', 'Reason'],
      cancelled.map(t => [t.title, caseLink(t.case), t.standard, t.by || '', t.at ? dayTime(t.at) : '', t.reason || '']),
      { id: 'compliance-cancelled' }));
  }
  if (nobody.length) {
    parts.push(table('Held by nobody',
      ['Task', 'Case', 'Due', 'Why', 'Declined by'],
      nobody.map(t => [t.title, caseLink(t.case), dayTime(t.due), t.why, (t.declined_by || []).join(', ') || '-']),
      { id: 'compliance-unassigned' }));
  }
  if (loose.length) {
    parts.push(table('Statutory tasks with no standard attached (not in the counts above)',
      ['Task', 'Case', 'Kind', 'State', 'Due'],
      loose.map(t => [t.title, caseLink(t.case), t.kind, t.state, t.due ? dayTime(t.due) : '-']),
      { id: 'compliance-unattached' }));
  }
  return parts;
}

export async function complianceView () {
  const report = await api.call('report-compliance', {});
  const standards = report.standards;
  show('Compliance',
    h('p', { class: 'lede' }, 'Tasks of the practice standards due from ' + day(report.from) + ' to ' + day(report.to) + ', and every task overdue now.'),
    standards.length ? [
      complianceChart(standards),
      h('ul', { class: 'legend', 'aria-label': 'Key to the chart' },
        h('li', null, 'Solid green: on time'), h('li', null, 'Solid orange: late'),
        h('li', null, 'Striped: overdue'), h('li', null, 'Dotted: due soon')),
      table('Compliance per standard (the numbers in the chart above, with cancelled and held by nobody); open a number for its cases',
        ['Standard', 'On time', 'Late', 'Overdue', 'Due soon', { text: 'Cancelled', num: true }, { text: 'Held by nobody', num: true }],
        standards.map(st => [st.title, casesCell(st.cases.on_time, 'cases on time'), casesCell(st.cases.late, 'cases late'),
          casesCell(st.cases.overdue, 'cases overdue'), casesCell(st.cases.due_soon, 'cases due soon'),
          String(st.cancelled ?? 0), String(st.unassigned ?? 0)]),
        { id: 'compliance-table' })]
      : h('p', null, 'No tasks of the practice standards fall due in this period.'),
    hiddenNothing(report));
}
