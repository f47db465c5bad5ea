// api.js - the page's calls to podweb. Each command name is one PODP/1
// command (POST /api/task-list is TASK-LIST); podweb adds who is asking.
let csrf = '';

export class ApiError extends Error {
  constructor (status, reason) { super(reason); this.status = status; }
}

async function post (path, body, useCsrf = true) {
  const headers = { 'Content-Type': 'application/json' };
  if (useCsrf) headers['X-CSRF-Token'] = csrf;
  const response = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify(body || {}) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, (data.error && data.error.reason) || response.statusText);
  return data;
}

export async function session () {
  const response = await fetch('/api/session', { credentials: 'same-origin' });
  if (response.status === 401) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, (data.error && data.error.reason) || response.statusText);
  csrf = data.csrf;
  return data;
}

export async function signin (handle, password) {
  const data = await post('/api/signin', { handle, password }, false);
  csrf = data.csrf;
  return data;
}

export async function setup (token, password) {
  return post('/api/setup', { token, password }, false);
}

export async function signout () {
  try { await post('/api/signout', {}); } finally { csrf = ''; }
}

export function call (command, body) {
  return post('/api/' + command, body);
}

// A paged list (TASK-LIST, CASE-LIST, MEMBER-LIST): its pages, each one
// request of at most podd's page size, until at least `want` items or the
// last page. Returns { items, more } (more: there are pages after these).
export async function pages (command, body, want) {
  let items = [];
  let after = null;
  do {
    const page = await call(command, after ? { ...body, after } : body);
    items = items.concat(page.items);
    after = page.next;
  } while (after && items.length < want);
  return { items, more: Boolean(after) };
}
