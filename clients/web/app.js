// app.js - podweb's page: sign-in, routes (#/work, #/case/REF, #/team,
// #/cover/..., #/compliance, #/continuity, #/leave, #/digest, #/setup/TOKEN), live tasks by Server-Sent
// Events. Renders with DOM APIs only.
import * as api from './api.js';
import { h, clear, errorSummary } from './dom.js';
import { workView } from './work.js';
import { caseView, casesView } from './casepage.js';
import { teamView, coverView, complianceView } from './team.js';
import { leaveView, digestView } from './leave.js';
import { continuityView } from './continuity.js';

const state = { me: null, events: null, message: '' };
// Deliveries pushed but not yet shown: task id -> delivery id
export const unshown = new Map();
const main = document.getElementById('main');

export function announce (text) {
  const live = document.getElementById('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 50);
}

export function isManager () {
  return !!state.me && (state.me.member.role === 'team-manager' || state.me.member.admin);
}

export function me () { return state.me; }

// Show a view: a title (the h1 and the document title) and its content
export function show (title, ...content) {
  document.title = title + ' - Pod work';
  clear(main).append(h('h1', { tabindex: '-1' }, title), ...content.flat().filter(c => c !== null && c !== undefined && c !== false));
  main.querySelector('h1').focus();
}

// What a failed call means to the person using the page
export function failed (error) {
  if (error && error.status === 401) return signedOut('Your session has ended. Sign in again.');
  const box = errorSummary('There is a problem', error && error.message ? error.message : String(error));
  main.prepend(box);
  box.focus();
}

function setNav () {
  const nav = document.getElementById('nav');
  nav.hidden = !state.me;
  for (const li of nav.querySelectorAll('[data-manager]')) li.hidden = !isManager();
  const page = (location.hash.split('/')[1] || 'work');
  for (const a of nav.querySelectorAll('a[data-nav]')) {
    if (a.dataset.nav === page) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  document.getElementById('who').textContent = state.me
    ? 'Signed in as ' + state.me.member.name + ' (' + state.me.handle + ')' : '';
}

function stopEvents () {
  if (state.events) state.events.close();
  state.events = null;
}

// Pushes for the signed-in member; each task is acknowledged once shown
function startEvents () {
  stopEvents();
  const events = new EventSource('/api/events');
  state.events = events;
  events.addEventListener('task', async (event) => {
    let push;
    try { push = JSON.parse(event.data); } catch { return; }
    unshown.set(push.task.id, push.delivery);
    document.dispatchEvent(new CustomEvent('podtask', { detail: push }));
    // only if the member pressed "Notify me" and said yes (work.js)
    if ('Notification' in window && Notification.permission === 'granted' && document.hidden) {
      try { new Notification('New task: ' + push.task.title, { tag: 'task-' + push.task.id }); } catch { /* not shown */ }
    }
  });
  events.addEventListener('notice', (event) => {
    let notice;
    try { notice = JSON.parse(event.data); } catch { return; }
    announce('Notice: ' + (notice.text || notice.kind));
  });
  events.addEventListener('end', () => { stopEvents(); signedOut('Your session has ended. Sign in again.'); });
  events.addEventListener('error', async () => {
    if (events.readyState === EventSource.CLOSED) {
      stopEvents();
      const session = await api.session().catch(() => null);
      if (!session) signedOut('Your session has ended. Sign in again.');
      else setTimeout(startEvents, 2000);
    }
  });
}

// One ACK for every delivery shown (a list, or one id)
export async function acknowledge (deliveries) {
  const ids = [].concat(deliveries);
  if (!ids.length) return;
  try { await api.call('ack', ids.length === 1 ? { delivery: ids[0] } : { deliveries: ids }); } catch (error) { if (error.status !== 409) throw error; }
}

function signedOut (message) {
  stopEvents();
  state.me = null;
  state.message = message || '';
  setNav();
  if (location.hash.startsWith('#/setup/')) return route();
  signinView();
}

function signinView () {
  const error = h('div');
  const handle = h('input', { id: 'handle', name: 'handle', type: 'text', autocomplete: 'username', spellcheck: 'false', autocapitalize: 'none', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'handle' }, 'User name'), handle),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
    h('button', { class: 'button', type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(error);
    try {
      state.me = await api.signin(handle.value.trim(), password.value);
      state.message = '';
      password.value = '';
      setNav();
      startEvents();
      if (!location.hash || location.hash === '#/signin') location.hash = '#/work'; else route();
    } catch (e) {
      const box = errorSummary('There is a problem', e.status === 429
        ? 'Too many failed sign-ins. Wait a few minutes and try again.'
        : e.status === 401 ? 'The user name or password is not right.' : e.message);
      error.append(box);
      box.focus();
    }
  });
  show('Sign in', state.message ? h('div', { class: 'notice', role: 'status' }, state.message) : null,
    error, form);
}

function setupView (token) {
  const error = h('div');
  const one = h('input', { id: 'new-password', type: 'password', autocomplete: 'new-password', 'aria-describedby': 'pw-hint' });
  const two = h('input', { id: 'new-password-2', type: 'password', autocomplete: 'new-password' });
  const form = h('form', { novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'new-password' }, 'New password'),
      h('p', { class: 'hint', id: 'pw-hint' }, 'At least 10 characters. A few unrelated words are easy to remember.'), one),
    h('div', { class: 'field' }, h('label', { for: 'new-password-2' }, 'Type it again'), two),
    h('button', { class: 'button', type: 'submit' }, 'Set password'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(error);
    if (one.value !== two.value) {
      error.append(errorSummary('There is a problem', 'The two passwords are not the same.'));
      return error.firstChild.focus();
    }
    try {
      const done = await api.setup(token, one.value);
      state.message = 'Your password is set. Sign in as ' + done.handle + '.';
      location.hash = '#/signin';
    } catch (e) {
      error.append(errorSummary('There is a problem', e.message));
      error.firstChild.focus();
    }
  });
  show('Set your password', error, form);
}

async function route () {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'setup' && parts[1]) return setupView(parts[1]);
  if (!state.me) return signinView();
  setNav();
  try {
    switch (parts[0]) {
      case 'case': return await caseView(parts[1]);
      case 'cases': return await casesView();
      case 'leave': return await leaveView();
      case 'digest': return await digestView();
      case 'team': return await teamView();
      case 'cover': return await coverView(parts[1], parts[2], parts[3], parts[4]);
      case 'compliance': return await complianceView();
      case 'continuity': return await continuityView();
      case 'signin': location.hash = '#/work'; return;
      default: return await workView();
    }
  } catch (error) {
    failed(error);
  }
}

async function start () {
  document.getElementById('signout').addEventListener('click', async () => {
    try { await api.signout(); } catch { /* signed out whatever podweb says */ }
    signedOut('You have signed out.');
  });
  window.addEventListener('hashchange', route);
  try {
    state.me = await api.session();
  } catch (error) {
    state.me = null;
    state.message = error.message;
  }
  if (state.me) startEvents();
  route();
}

start();
