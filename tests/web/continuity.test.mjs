// continuity.test.mjs - podweb's Continuity page in a real browser, with
// the podweb and podd that tests/integration/97-web.sh started: a contact
// recorded with podctl shows in the page's tables, and axe-core finds no
// WCAG 2.2 A/AA violation on it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

const BASE = process.env.PODWEB_URL;
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
let browser;

function podctl (who, ...args) {
  return execFileSync(process.env.PODCTL, ['-e', process.env.PODD_EP, '-k', `${process.env.KEYS}/${who}.cert`,
    '-s', `${process.env.KEYS}/podd.cert`, '-t', '5', ...args], { encoding: 'utf8' });
}

before(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-extensions'] });
});

after(async () => { if (browser) await browser.close(); });

test('the Continuity page shows the pod\'s figures, accessibly', async () => {
  podctl('alice.tm', 'case', 'open', 'NC-1901', '--kind', 'child', '--lead', 'erin.sw');
  podctl('femi.sw', 'case', 'note', 'NC-1901', 'Called at home', '--kind', 'contact', '--with', 'femi.sw', '--with', 'erin.sw');
  const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1100, height: 900 }, timezoneId: 'Europe/London', locale: 'en-GB' });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  await page.goto('/');
  await page.getByLabel('User name').fill('alice.tm');
  await page.getByLabel('Password').fill('alice.tm password 1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'My work' }).waitFor();
  await page.getByRole('link', { name: 'Continuity', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Continuity' }).waitFor();
  const row = page.locator('#continuity-cases tbody tr', { has: page.getByRole('rowheader', { name: 'NC-1901' }) });
  const cells = await row.locator('td').allTextContents();
  // lead, workers with contact, contacts, known-worker rate
  assert.deepEqual(cells.slice(0, 4), ['erin.sw', '2', '2', '50%']);
  assert.ok(await page.locator('#continuity-chart title').count() === 1, 'the chart has a title');
  assert.match(await page.locator('#continuity-pod').textContent(), /Known-worker rate/);
  const result = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  const found = result.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')}`);
  assert.deepEqual(found, [], 'axe found WCAG violations on the Continuity page');
  await context.close();
});
