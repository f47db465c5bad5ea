// web.test.mjs - podweb's page in a real browser (Debian's chromium driven
// by playwright-core), against the real podweb and podd that
// tests/integration/97-web.sh started. Every page is scanned by axe-core
// for WCAG 2.2 A and AA. Run with node --test; 97-web.sh turns the TAP
// lines into ok / not ok lines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

const BASE = process.env.PODWEB_URL;
const SHORT = process.env.PODWEB_SHORT_URL;
const SHOTS = process.env.SCREENSHOTS || '';
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
let browser;

function podctl (who, ...args) {
  return execFileSync(process.env.PODCTL, ['-e', process.env.PODD_EP, '-k', `${process.env.KEYS}/${who}.cert`,
    '-s', `${process.env.KEYS}/podd.cert`, '-t', '5', ...args], { encoding: 'utf8' });
}

function sql (query) {
  return execFileSync('sqlite3', [process.env.PODD_DB, query], { encoding: 'utf8' }).trim();
}

async function axe (page, what) {
  const result = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  const found = result.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')}`);
  assert.deepEqual(found, [], `axe found WCAG violations on ${what}`);
}

async function shot (page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function newPage (base = BASE) {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1100, height: 900 }, timezoneId: 'Europe/London', locale: 'en-GB' });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  return page;
}

async function signIn (page, handle, password = `${handle} password 1`) {
  await page.goto('/');
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await page.getByLabel('User name').fill(handle);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'My work' }).waitFor();
}

function taskRow (page, title) {
  return page.locator('#my-tasks tbody tr', { has: page.getByRole('rowheader', { name: title, exact: true }) });
}

before(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-extensions'] });
});

after(async () => { if (browser) await browser.close(); });

let dev;       // dev.sw's page, signed in, used by the tests that follow

test('the sign-in page has no WCAG 2.2 A/AA violations', async () => {
  const page = await newPage();
  await page.goto('/');
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await axe(page, 'sign-in');
  await shot(page, 'sign-in');
  await page.context().close();
});

test('a bad password is refused with a clear message', async () => {
  const page = await newPage();
  await page.goto('/');
  await page.getByLabel('User name').fill('dev.sw');
  await page.getByLabel('Password').fill('not my password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'The user name or password is not right.' }).waitFor();
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Sign in');
  await axe(page, 'sign-in with an error');
  await page.context().close();
});

test('a social worker signs in and sees their work, due first, overdue in words', async () => {
  dev = await newPage();
  await signIn(dev, 'dev.sw');
  // the list fills in after the page: wait for its first three rows
  await dev.locator('#my-tasks tbody th').nth(2).waitFor();
  const titles = await dev.locator('#my-tasks tbody th').allTextContents();
  assert.deepEqual(titles.slice(0, 3), ['Phone the school', 'Statutory visit to the child', 'Book the family group conference']);
  const overdue = taskRow(dev, 'Phone the school');
  assert.match(await overdue.textContent(), /Overdue/);
  assert.match(await overdue.locator('time').textContent(), /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}, \d\d:\d\d$/);
  assert.doesNotMatch(await taskRow(dev, 'Book the family group conference').textContent(), /Overdue/);
  assert.match(await dev.locator('#who').textContent(), /Dev Wren \(dev\.sw\)/);
  await axe(dev, 'My work');
  // opt-in only: a button, and nothing asked for until it is pressed
  assert.equal(await dev.getByRole('button', { name: 'Notify me of new tasks in this browser' }).count(), 1);
  assert.equal(await dev.evaluate(() => Notification.permission), 'default');
});

test('a task created with podctl appears live and is acknowledged once shown', async () => {
  await dev.waitForTimeout(500);    // the event stream is open
  const out = podctl('alice.tm', '--json', 'task', 'new', 'NC-1001', '--kind', 'general', '--title', 'Live from podctl');
  const id = JSON.parse(out).id;
  const started = Date.now();
  await taskRow(dev, 'Live from podctl').waitFor({ timeout: 5000 });
  const ms = Date.now() - started;
  assert.ok(ms < 3000, `shown after ${ms} ms`);
  assert.match(await taskRow(dev, 'Live from podctl').textContent(), /New/);
  let acked = '';
  for (let i = 0; i < 50 && !acked; i++) {
    acked = sql(`SELECT acked FROM mailbox WHERE task_id = ${id} AND acked IS NOT NULL`);
    if (!acked) await dev.waitForTimeout(100);
  }
  assert.ok(acked, 'the delivery was acknowledged after the task was shown');
  await shot(dev, 'my-work');
});

test('accept, decline with a reason and done from the page', async () => {
  await taskRow(dev, 'Live from podctl').getByRole('button', { name: 'Accept Live from podctl' }).click();
  await taskRow(dev, 'Live from podctl').getByText('Accepted').waitFor();
  const live = JSON.parse(podctl('dev.sw', '--json', 'task', 'list', '--mine')).items.find(t => t.title === 'Live from podctl');
  assert.equal(live.state, 'accepted');

  await taskRow(dev, 'Book the family group conference').getByRole('button', { name: 'Decline Book the family group conference' }).click();
  await dev.getByLabel('Why are you declining "Book the family group conference"?').fill('I am in court all week');
  await dev.getByRole('button', { name: 'Decline task' }).click();
  await taskRow(dev, 'Book the family group conference').waitFor({ state: 'detached' });
  const declined = JSON.parse(podctl('alice.tm', '--json', 'task', 'list', '--case', 'NC-1002')).items.find(t => t.title === 'Book the family group conference');
  assert.notEqual(declined.assignee, 'dev.sw', 'routed to someone else');

  await taskRow(dev, 'Live from podctl').getByRole('button', { name: 'Mark Live from podctl as done' }).click();
  await dev.getByLabel('What was done for "Live from podctl"?').fill('Done by phone');
  await dev.getByRole('button', { name: 'Mark as done' }).click();
  await taskRow(dev, 'Live from podctl').waitFor({ state: 'detached' });
  const done = JSON.parse(podctl('alice.tm', '--json', 'task', 'show', String(live.id)));
  assert.equal(done.state, 'done');
  assert.equal(done.evidence, 'Done by phone');
});

test('a case page: lead, contact today, open tasks, chronology; a note is added', async () => {
  await dev.getByRole('link', { name: 'NC-1001' }).first().click();
  await dev.getByRole('heading', { level: 1, name: 'Case NC-1001' }).waitFor();
  assert.equal(await dev.locator('#case-lead').textContent(), 'dev.sw');
  assert.match(await dev.locator('#case-contact').textContent(), /Dev Wren/);
  await dev.getByLabel('Entry', { exact: true }).fill('Visited; the child was well');
  await dev.getByRole('button', { name: 'Add to chronology' }).click();
  await dev.locator('#chronology').getByText('Visited; the child was well').waitFor();
  await axe(dev, 'a case page');
  await shot(dev, 'case');
});

test('the holder hands a task off to a pod member chosen in a select', async () => {
  await dev.getByLabel('Hand off "Statutory visit to the child" to').selectOption('erin.sw');
  await axe(dev, 'a case page with hand-off');
  await dev.getByRole('button', { name: 'Hand off', exact: true }).first().click();
  await dev.locator('#case-tasks tbody tr', { hasText: 'Statutory visit to the child' }).getByRole('cell', { name: 'erin.sw', exact: true }).waitFor();
  const visit = JSON.parse(podctl('alice.tm', '--json', 'task', 'list', '--case', 'NC-1001')).items.find(t => t.title === 'Statutory visit to the child');
  assert.equal(visit.assignee, 'erin.sw');
  assert.equal(visit.state, 'offered');
});

test("a case page lists its meetings with each partner's answer in words", async () => {
  const school = 'jo.reed@school-a.example', health = 'nia.nurse@health-b.example';
  podctl('alice.tm', 'partner', 'add', '--agency', 'Fictional School', '--agency-kind', 'school', '--name', 'Jo Reed', '--email', school);
  podctl('alice.tm', 'partner', 'add', '--agency', 'Fictional Health', '--agency-kind', 'health', '--name', 'Nia Nurse', '--email', health);
  podctl('alice.tm', 'partner', 'link', 'NC-1001', school);
  podctl('alice.tm', 'partner', 'link', 'NC-1001', health);
  const soon = new Date(Date.now() + 20 * 86400000).toISOString().slice(0, 10);
  const task = JSON.parse(podctl('alice.tm', '--json', 'task', 'new', 'NC-1001', '--kind', 'stability-meeting', '--title', 'Placement stability meeting', '--due', soon)).id;
  podctl('dev.sw', 'task', 'accept', String(task));
  const meeting = JSON.parse(podctl('dev.sw', '--json', 'meeting', 'schedule', String(task), '--start', soon + 'T10:00', '--end', soon + 'T11:00',
    '--location', 'Pod North office, Room 2', '--invite', school, '--invite', health));
  const eml = `${dirname(process.env.PODD_DB)}/web-reply-${task}.eml`;
  execFileSync('/usr/bin/python3', [new URL('../make_reply.py', import.meta.url).pathname, eml, '--uid', meeting.uid,
    '--sequence', String(meeting.sequence), '--attendee', school, '--name', 'Jo Reed', '--partstat', 'ACCEPTED']);
  execFileSync(process.env.PODCTL, ['-e', process.env.PODD_EP, '-k', `${process.env.KEYS}/alice.tm.cert`, '-s', `${process.env.KEYS}/podd.cert`,
    '-t', '10', 'ingest-mail'], { input: readFileSync(eml), encoding: 'utf8' });
  await dev.reload();
  await dev.getByRole('heading', { level: 1, name: 'Case NC-1001' }).waitFor();
  const attendees = dev.locator('#meetings table.attendees');
  const row = (name) => attendees.locator('tbody tr', { has: dev.getByRole('rowheader', { name, exact: true }) });
  await row('Jo Reed').waitFor();
  assert.match(await row('Jo Reed').textContent(), /Partner.*Accepted/);
  assert.match(await row('Nia Nurse').textContent(), /Partner.*No answer yet.*Not yet/);
  assert.match(await dev.locator('#meetings').textContent(), /Placement stability meeting/);
  await axe(dev, 'a case page with meetings');
});

test('a north member cannot see a south case by changing the URL', async () => {
  await dev.goto('/#/case/SC-3001');
  await dev.getByRole('alert').waitFor();
  const text = await dev.locator('main').textContent();
  assert.doesNotMatch(text, /South only/);
  assert.doesNotMatch(text, /tara\.sw/);
  const status = await dev.evaluate(async () => {
    const s = await (await fetch('/api/session')).json();
    const r = await fetch('/api/case-show', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf }, body: JSON.stringify({ ref: 'SC-3001' }) });
    return r.status;
  });
  assert.equal(status, 403);
});

test('a state change without the CSRF token is refused (403)', async () => {
  const status = await dev.evaluate(async () => {
    const r = await fetch('/api/task-accept', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"task":1}' });
    return r.status;
  });
  assert.equal(status, 403);
});

test('a member requests leave from the page', async () => {
  await dev.getByRole('link', { name: 'Leave', exact: true }).click();
  await dev.getByRole('heading', { level: 1, name: 'Leave' }).waitFor();
  const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
  await dev.getByLabel('Kind of leave').selectOption('training');
  await dev.getByLabel('First day away').fill(day(40));
  await dev.getByLabel('Last day away').fill(day(41));
  await dev.getByRole('button', { name: 'Request leave' }).click();
  await dev.locator('#my-leave').getByText('Requested, waiting for your manager').waitFor();
  await axe(dev, 'leave');
  const calendar = JSON.parse(podctl('alice.tm', '--json', 'leave', 'calendar', '--from', day(39), '--to', day(42)));
  assert.ok(calendar.items.some(a => a.member === 'dev.sw' && a.kind === 'training' && a.status === 'requested'));
});

test('sign-out ends the session', async () => {
  await dev.getByRole('button', { name: 'Sign out' }).click();
  await dev.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await dev.getByText('You have signed out.').waitFor();
  const status = await dev.evaluate(async () => (await fetch('/api/session')).status);
  assert.equal(status, 401);
  await dev.context().close();
});

let alice;

test('the manager sees the leave calendar and load as SVG with their tables', async () => {
  alice = await newPage();
  await signIn(alice, 'alice.tm');
  await alice.getByRole('link', { name: 'Team' }).click();
  await alice.getByRole('heading', { level: 1, name: 'Team' }).waitFor();
  const leave = alice.locator('svg#leave-chart');
  assert.equal(await leave.getAttribute('role'), 'img');
  assert.ok(await leave.locator('rect[stroke]').count() >= 1, 'a leave bar is drawn');
  assert.match(await alice.locator('#leave-table').textContent(), /Dev Wren.*Annual leave.*Approved/s);
  const load = alice.locator('svg#load-chart');
  assert.equal(await load.getAttribute('role'), 'img');
  assert.match(await alice.locator('#load-table').textContent(), /Dev Wren/);
  assert.equal(await alice.locator('#load-table tbody tr').count(), await load.locator('text').count() / 4);
  await axe(alice, 'the team page');
  await shot(alice, 'team');
});

test("the manager changes a line of the cover plan and accepts it as a whole", async () => {
  await alice.getByRole('link', { name: 'Plan cover for Dev Wren' }).first().click();
  await alice.getByRole('heading', { level: 1, name: 'Cover plan for dev.sw' }).waitFor();
  const select = alice.getByLabel('Cover for Case NC-1001');
  const proposed = await select.inputValue();
  const options = await select.locator('option').evaluateAll(os => os.map(o => o.value));
  const other = options.find(v => v && v !== proposed);
  assert.ok(other, `another candidate than ${proposed} among ${options}`);
  await select.selectOption(other);
  await axe(alice, 'the cover plan');
  await shot(alice, 'cover-plan');
  await alice.getByRole('button', { name: 'Accept cover plan' }).click();
  await alice.getByText(/Cover plan accepted, with 1 change/).waitFor();
  const calendar = JSON.parse(podctl('alice.tm', '--json', 'leave', 'calendar', '--to', new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10)));
  const absence = calendar.items.find(a => a.member === 'dev.sw');
  const line = absence.cover.find(c => c.case === 'NC-1001');
  assert.equal(line.cover, other);
  assert.equal(line.set_by, 'alice.tm');
  assert.ok(absence.cover.some(c => c.case === 'NC-1002'), 'the rest of the plan was stored too');
});

test('compliance per standard, with its table', async () => {
  await alice.getByRole('link', { name: 'Compliance' }).click();
  await alice.getByRole('heading', { level: 1, name: 'Compliance' }).waitFor();
  assert.equal(await alice.locator('svg#compliance-chart').getAttribute('role'), 'img');
  assert.ok(await alice.locator('#compliance-table tbody tr').count() >= 1);
  await axe(alice, 'compliance');
  await shot(alice, 'compliance');
});

const inDays = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
const DAY = /(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}/;

function requestRow (page, handle) {
  return page.locator('#leave-requests tbody tr', { has: page.getByRole('rowheader', { name: handle, exact: true }) });
}

test('the manager approves one leave request and refuses another with a reason', async () => {
  podctl('erin.sw', 'leave', 'request', '--kind', 'annual', '--from', inDays(50), '--to', inDays(51));
  await alice.getByRole('link', { name: 'Leave', exact: true }).click();
  await alice.getByRole('heading', { level: 1, name: 'Leave' }).waitFor();
  const dev = requestRow(alice, 'dev.sw');
  const erin = requestRow(alice, 'erin.sw');
  assert.match(await dev.textContent(), /Training/);
  assert.match(await dev.textContent(), DAY);
  assert.match(await erin.textContent(), /Annual leave/);
  await axe(alice, 'leave requests');
  await dev.getByRole('button', { name: /^Approve dev\.sw's training from / }).click();
  await dev.waitFor({ state: 'detached' });
  await erin.getByRole('button', { name: /^Refuse erin\.sw's annual leave from / }).click();
  await alice.getByLabel(/^Why are you refusing erin\.sw's annual leave/).fill('Two of the pod are away that week');
  await axe(alice, 'refusing leave');
  await alice.getByRole('button', { name: 'Refuse leave' }).click();
  await erin.waitFor({ state: 'detached' });
  await alice.locator('p#leave-requests').getByText('No leave requests are waiting for your answer.').waitFor();
  const status = (who) => sql(`SELECT a.status FROM absences a JOIN members m ON m.id = a.member_id WHERE m.handle = '${who}' AND a.kind = '${who === 'dev.sw' ? 'training' : 'annual'}' ORDER BY a.id DESC LIMIT 1`);
  assert.equal(status('dev.sw'), 'approved');
  assert.equal(status('erin.sw'), 'refused');
});

test('the set-up page has no WCAG 2.2 A/AA violations', async () => {
  const page = await newPage();
  await page.goto('/#/setup/' + '0'.repeat(64));
  await page.getByRole('heading', { level: 1, name: 'Set your password' }).waitFor();
  await axe(page, 'set-up');
  await page.getByLabel('New password').fill('a fine new password');
  await page.getByLabel('Type it again').fill('a fine new password');
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
  await page.context().close();
});

test('an idle session expires and the page asks to sign in again', async () => {
  const page = await newPage(SHORT);
  await signIn(page, 'erin.sw');
  await page.getByText('Your session has ended. Sign in again.').waitFor({ timeout: 8000 });
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Sign in');
  const status = await page.evaluate(async () => (await fetch('/api/session')).status);
  assert.equal(status, 401);
  await page.context().close();
});

test('the manager reassigns a task from its line on the case page', async () => {
  await alice.goto('/#/case/NC-1002');
  await alice.getByRole('heading', { level: 1, name: 'Case NC-1002' }).waitFor();
  const row = alice.locator('#case-tasks tbody tr', { hasText: 'Phone the school' });
  await alice.getByLabel('Reassign "Phone the school" to').selectOption('femi.sw');
  await axe(alice, 'a case page with reassign');
  await row.getByRole('button', { name: 'Reassign', exact: true }).click();
  await row.getByRole('cell', { name: 'femi.sw', exact: true }).waitFor();
  const task = JSON.parse(podctl('alice.tm', '--json', 'task', 'list', '--case', 'NC-1002')).items.find(t => t.title === 'Phone the school');
  assert.equal(task.assignee, 'femi.sw');
});

test('the manager sees failed mail and sends it again', async () => {
  // a delivery refused for good (550), as the mailer records it
  const id = sql("SELECT o.id FROM outbox o JOIN tasks t ON t.id = o.task_id JOIN cases c ON c.id = t.case_id WHERE c.ref = 'NC-1001' ORDER BY o.id DESC LIMIT 1");
  assert.ok(id, 'a message of the north pod to fail');
  const subject = sql(`SELECT subject FROM outbox WHERE id = ${id}`);
  sql(`UPDATE outbox_rcpts SET state = 'failed', code = 550, text = '5.1.1 no such mailbox' WHERE outbox_id = ${id};
       UPDATE outbox SET state = 'failed', done_at = strftime('%s', 'now') WHERE id = ${id};`);
  await alice.getByRole('link', { name: 'Team' }).click();
  await alice.getByRole('heading', { level: 1, name: 'Team' }).waitFor();
  const row = alice.locator('#failed-mail tbody tr', { has: alice.getByRole('rowheader', { name: subject, exact: true }) });
  assert.match(await row.textContent(), /550 5\.1\.1 no such mailbox/);
  await axe(alice, 'the team page with failed mail');
  await row.getByRole('button', { name: `Retry "${subject}"` }).click();
  await alice.locator('#failed-mail').getByText(`Sending "${subject}" again.`).waitFor();
  await row.waitFor({ state: 'detached' });
  assert.notEqual(sql(`SELECT state FROM outbox WHERE id = ${id}`), 'failed');
  assert.match(sql(`SELECT count(*) FROM audit WHERE action = 'mail-retry' AND object LIKE '%${id}%'`), /^[1-9]/);
});

test('a member back from sickness sees their return digest', async () => {
  const absence = JSON.parse(podctl('alice.tm', '--json', 'leave', 'request', '--member', 'femi.sw', '--kind', 'sickness')).id;
  let ended = false;
  for (let i = 0; i < 100 && !ended; i++) {      // podd starts the absence on its next step
    try { podctl('alice.tm', 'leave', 'end', String(absence)); ended = true; } catch { await alice.waitForTimeout(100); }
  }
  assert.ok(ended, 'the sickness was ended');
  const femi = await newPage();
  await signIn(femi, 'femi.sw');
  await femi.getByRole('link', { name: 'Leave', exact: true }).click();
  await femi.getByRole('link', { name: /your return digest/ }).click();
  await femi.getByRole('heading', { level: 1, name: 'Back from leave' }).waitFor();
  assert.match(await femi.locator('#digest').textContent(), /^You were away from (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}, \d\d:\d\d to /);
  assert.match(await femi.locator('#digest-open').textContent(), /Phone the school.*NC-1002/s);
  await axe(femi, 'the return digest');
  await femi.context().close();
});

test('the manager signs out', async () => { await alice.context().close(); });
