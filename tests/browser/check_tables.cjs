// Drives the large report page's tables in headless Chromium (network off) as a planner
// would: pages the village table, filters it by a village code, sorts by households, opens a
// township's detail from the township table, a community's verdict from the community table,
// and goes back. Fails on any console or page error or network request.
//
// Usage: node check_tables.cjs REPORT.html [SHOT.png]
// Environment: CHROMIUM (default /usr/bin/chromium); playwright-core on NODE_PATH
// (check_report.sh installs it; run this with the same NODE_PATH). Not part of CI.

'use strict';

const { pathToFileURL } = require('url');
const { chromium } = require('playwright-core');

async function main() {
  const [report, shot] = process.argv.slice(2);
  if (!report) throw new Error('usage: node check_tables.cjs REPORT.html [SHOT.png]');
  const problems = [];
  const fail = (m) => problems.push(m);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') fail(`console: ${m.text()}`); });
  page.on('pageerror', (e) => fail(`page error: ${e.message}`));
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith('file:') || u.startsWith('data:')) return route.continue();
    fail(`request: ${u}`);
    return route.abort();
  });
  const t0 = Date.now();
  await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
  console.log(`load:      ${Date.now() - t0} ms`);
  // The tables' rows are decoded after load (unpack.js): wait for them as a reader does.
  await page.evaluate(() => window.hecunReady);
  console.log(`decoded:   ${Date.now() - t0} ms`);

  const rows = (id) => page.evaluate((id) => [...document.querySelector(`#${id}`).tBodies[0].rows]
    .map((r) => [...r.cells].map((c) => c.textContent)), id);
  const count = (id) => page.evaluate((id) => document.querySelector(`[data-filter-for="${id}"]`)
    .parentNode.querySelector('.pager-count').textContent, id);

  // Paging.
  const first = await rows('village-table');
  console.log(`villages:  ${await count('village-table')}`);
  await page.evaluate(() => {
    const bar = document.querySelector('[data-filter-for="village-table"]').parentNode;
    [...bar.querySelectorAll('button')][2].click();
  });
  const second = await rows('village-table');
  console.log(`next:      ${await count('village-table')}`);
  if (second.length === 0 || second[0][0] === first[0][0]) fail('next page shows the same rows');

  // Filter by a village code from the second page.
  const code = second[3][0];
  await page.fill('[data-filter-for="village-table"]', code);
  const found = await rows('village-table');
  console.log(`filter:    ${code} → ${await count('village-table')}`);
  if (!found.length || !found.every((r) => r.join(' ').includes(code))) fail(`filter by ${code}`);
  await page.fill('[data-filter-for="village-table"]', '');

  // Sort by households (column 4), twice: descending.
  await page.click('#village-table thead th:nth-child(4)');
  await page.click('#village-table thead th:nth-child(4)');
  const sorted = (await rows('village-table')).map((r) => Number(r[3].replace(/,/g, '')));
  console.log(`sorted:    ${sorted.slice(0, 5).join(', ')} …`);
  for (let i = 1; i < sorted.length; i++) if (sorted[i] > sorted[i - 1]) { fail('households not sorted descending'); break; }

  // A township's detail from its row, then a community's verdict, then back.
  const township = await page.evaluate(() => {
    const a = document.querySelector('#township-table tbody tr:nth-child(3) a');
    a.click();
    return a.textContent;
  });
  await page.waitForTimeout(100);
  const detail = await page.evaluate(() => {
    const v = document.querySelector('#township-view');
    return v && !v.hidden ? { head: v.querySelector('h3').textContent, tables: v.querySelectorAll('table').length, hash: location.hash } : null;
  });
  console.log(`township:  ${township} → ${JSON.stringify(detail)}`);
  if (!detail || !detail.head.includes(township) || detail.tables === 0) fail('township detail');
  const community = await page.evaluate(() => {
    const a = document.querySelector('#township-view a[href^="#community-"]')
      || document.querySelector('#community-table a[href^="#community-"]');
    a.click();
    return a.getAttribute('href');
  });
  // The details are decoded on the first one asked for.
  await page.waitForFunction((h) => document.getElementById(h.slice(1)), community, { timeout: 10000 })
    .catch(() => {});
  const verdict = await page.evaluate((h) => {
    const b = document.getElementById(h.slice(1));
    return b ? b.querySelector('h3').textContent : null;
  }, community);
  console.log(`verdict:   ${community} → ${verdict}`);
  if (!verdict) fail(`verdict ${community} not shown`);
  await page.goBack();
  await page.waitForTimeout(100);
  const back = await page.evaluate(() => location.hash);
  console.log(`back:      ${back}`);
  if (!back.startsWith('#township-')) fail(`back goes to ${back}`);
  const elements = await page.evaluate(() => document.getElementsByTagName('*').length);
  console.log(`elements:  ${elements}`);
  if (shot) await page.screenshot({ path: shot, fullPage: false });
  await browser.close();
  if (problems.length) {
    console.log(`FAIL: ${problems.length} problem(s)`);
    for (const p of problems) console.log(`  - ${p}`);
    process.exit(1);
  }
  console.log('OK: paging, filter, sort, township detail, verdict, back');
}

main().catch((e) => { console.error(e); process.exit(2); });
