// paging.test.mjs - podweb's paged lists in a real browser (PROTOCOL.md
// 7.3), with the podweb and podd that tests/integration/97-web.sh started:
// a case page shows the newest 50 chronology entries, and "Show older
// entries" brings the older ones, a page at a time, until the whole
// chronology is there, oldest first, each entry once; axe-core finds no
// WCAG 2.2 A/AA violation.
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

test('a long chronology comes a page at a time with "Show older entries"', async () => {
  podctl('alice.tm', 'case', 'open', 'NC-1951', '--kind', 'child', '--lead', 'erin.sw');
  for (let i = 1; i <= 60; i++) {
    const date = `2026-${String(1 + (i % 10)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    podctl('alice.tm', 'case', 'note', 'NC-1951', `Entry ${String(i).padStart(3, '0')}`, '--date', date);
  }
  const all = JSON.parse(podctl('alice.tm', '--json', 'case', 'show', 'NC-1951', '--limit', '1000')).chronology;
  assert.ok(all.length >= 61, `the case has ${all.length} entries`);
  const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1100, height: 900 }, timezoneId: 'Europe/London', locale: 'en-GB' });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  await page.goto('/');
  await page.getByLabel('User name').fill('alice.tm');
  await page.getByLabel('Password').fill('alice.tm password 1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'My work' }).waitFor();
  await page.goto('/#/case/NC-1951');
  await page.getByRole('heading', { level: 1, name: 'Case NC-1951' }).waitFor();
  const rows = page.locator('#chronology tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 50, 'the newest 50 entries first');
  const texts = async () => (await rows.allTextContents());
  const newest = all.slice(-50);
  assert.deepEqual((await texts()).map((t, i) => t.includes(newest[i].text)), newest.map(() => true),
    'the newest 50, oldest first');
  const more = page.getByRole('button', { name: 'Show older entries' });
  for (let pages = 0; pages < 10 && await more.count(); pages++) {
    const before = await rows.count();
    await more.click();
    await page.waitForFunction(n => document.querySelectorAll('#chronology tbody tr').length > n, before);
  }
  assert.equal(await more.count(), 0, 'no "Show older entries" once the whole chronology is shown');
  const shown = await texts();
  assert.equal(shown.length, all.length, 'every entry once');
  assert.deepEqual(shown.map((t, i) => t.includes(all[i].text)), all.map(() => true), 'oldest first, as podd orders it');
  const result = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  const found = result.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')}`);
  assert.deepEqual(found, [], 'axe found WCAG violations on the case page');
  await context.close();
});
