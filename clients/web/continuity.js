// continuity.js - the Continuity page: how well the pod keeps each family
// with people who know it (CONTINUITY, proto/PROTOCOL.md section 8.12).
// A chart of workers with contact per family, with a table of the same
// facts; the pod's medians and worst tenths with the cases behind them;
// the figures per member.
import * as api from './api.js';
import { h, s, table } from './dom.js';
import { day } from './dates.js';
import { show } from './app.js';

const MEASURES = [
  ['workers', 'Workers with contact per family', false],
  ['known_rate', 'Known-worker rate', true],
  ['lead_changes', 'Changes of lead worker', false],
  ['uncovered_days', 'Days the lead was away with no cover', false],
  ['no_lead_days', 'Days with no lead worker', false],
  ['days_to_first_contact', 'Days from a change of lead to the new lead\u2019s first contact', false]
];

function percent (rate) {
  return rate === null || rate === undefined ? 'no contacts' : Math.round(rate * 100) + '%';
}

function figure (key, value) {
  if (value === null || value === undefined) return '';
  return key === 'known_rate' ? percent(value) : String(value);
}

function caseLink (ref) {
  return h('a', { href: '#/case/' + encodeURIComponent(ref) }, ref);
}

// One bar per family: the number of workers who had contact with it
function workersChart (cases) {
  const left = 130, row = 26, top = 10, width = 700;
  const max = Math.max(1, ...cases.map(c => c.workers));
  const scale = (width - left - 120) / max;
  const svg = s('svg', { class: 'chart', id: 'continuity-chart', role: 'img',
    viewBox: `0 0 ${width} ${top + cases.length * row + 10}`, width: String(width), 'aria-labelledby': 'continuity-chart-title' },
    s('title', { id: 'continuity-chart-title' }, 'Workers with contact per family. The table below gives the same numbers.'));
  cases.forEach((c, i) => {
    const y = top + i * row;
    const w = Math.max(2, c.workers * scale);
    svg.append(s('text', { x: 4, y: y + 16, 'font-size': '14', fill: '#0b0c0c' }, c.ref),
      s('rect', { x: left, y: y + 4, width: w, height: 16, fill: '#1d70b8', stroke: '#0b0c0c' }),
      s('text', { x: left + w + 6, y: y + 16, 'font-size': '13', fill: '#0b0c0c' },
        c.workers + (c.workers === 1 ? ' worker' : ' workers')));
  });
  return svg;
}

function changesList (c) {
  if (!c.changes.length) return 'none';
  return h('ul', { class: 'plain-list' }, c.changes.map(ch => h('li', null,
    day(ch.date) + ': ' + ch.from + ' to ' + ch.to + ', handover visit ' + (ch.handover_visit ? 'yes' : 'no') +
    (ch.days_to_first_contact === null ? ', no contact yet' : ', first contact after ' + ch.days_to_first_contact + ' days'))));
}

export async function continuityView () {
  const report = await api.call('continuity', {});
  const cases = report.cases;
  const spread = report.distribution;
  show('Continuity',
    h('p', { class: 'lede' }, 'How well families stay with workers who know them, ' + day(report.from) + ' to ' +
      day(report.to) + '. The README explains each measure.'),
    cases.length ? [
      h('h2', null, 'The pod'),
      table('The pod\u2019s ' + spread.cases + ' families: the median, the worst tenth, and the families behind the worst figures',
        ['Measure', { text: 'Median', num: true }, { text: 'Worst tenth', num: true }, 'Families'],
        MEASURES.map(([key, label]) => [label,
          { num: spread[key].cases ? figure(key, spread[key].median) : 'none' },
          { num: spread[key].cases ? figure(key, spread[key].worst_tenth) : 'none' },
          spread[key].worst_cases.length ? h('span', null, spread[key].worst_cases.flatMap((ref, i) => i ? [', ', caseLink(ref)] : [caseLink(ref)])) : '']),
        { id: 'continuity-pod' }),
      h('h2', null, 'Each family'),
      workersChart(cases),
      table('Continuity per family (the chart above shows the workers column)',
        ['Family', 'Lead worker', { text: 'Workers with contact', num: true }, { text: 'Contacts', num: true },
          { text: 'Known-worker rate', num: true }, { text: 'Uncovered days', num: true },
          { text: 'Days with no lead', num: true }, 'Changes of lead'],
        cases.map(c => [caseLink(c.ref), c.lead || 'none', { num: c.workers }, { num: c.contacts },
          { num: percent(c.known_rate) }, { num: c.uncovered_days }, { num: c.no_lead_days }, changesList(c)]),
        { id: 'continuity-cases' }),
      h('h2', null, 'Each member'),
      table('Continuity per member',
        ['Member', { text: 'Families led', num: true }, { text: 'Families seen', num: true }, { text: 'Contacts', num: true },
          { text: 'Known-worker rate', num: true }, { text: 'Became lead', num: true }, { text: 'Handed on', num: true }],
        report.members.map(m => [m.member, { num: m.cases_led }, { num: m.cases_contacted }, { num: m.contacts },
          { num: percent(m.known_rate) }, { num: m.became_lead }, { num: m.handed_on }]),
        { id: 'continuity-members' })]
      : h('p', null, 'The pod had no open case in this period.'));
}
