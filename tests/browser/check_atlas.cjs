// Checks the large report page's canvas map (html/atlas) in headless Chromium, network off:
// the page loads without errors or requests within the time budget, every label drawn lies
// inside its own feature (the check's own point-in-polygon on window.hecunMap.feature's
// rings), at the whole-region view and zoomed in, and search by name and by 区划代码 zooms to
// the feature. Screenshots the map.
//
// Usage: node check_atlas.cjs REPORT.html MAP.png
// Environment: CHROMIUM (default /usr/bin/chromium). Run through check_atlas.sh.

'use strict';

const path = require('path');
const { pathToFileURL } = require('url');
const { chromium } = require('playwright-core');

// Even-odd point in polygon over all rings: the same rule the canvas fills with.
function inside(rings, x, y) {
  let c = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
    }
  }
  return c;
}

async function main() {
  const [report, mapPng] = process.argv.slice(2);
  if (!report || !mapPng) {
    console.error('usage: node check_atlas.cjs REPORT.html MAP.png');
    process.exit(2);
  }
  const url = pathToFileURL(path.resolve(report)).href;
  const problems = [];
  const fail = (what) => problems.push(what);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const context = await browser.newContext({
      offline: true,
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
    });
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith('file:') || u.startsWith('data:')) route.continue();
      else { fail(`external request: ${u}`); route.abort(); }
    });
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') fail(`console error: ${m.text()}`); });
    page.on('pageerror', (e) => fail(`page error: ${e.message}`));

    const t0 = Date.now();
    await page.goto(url, { waitUntil: 'load', timeout: 60000 });
    const loadMs = Date.now() - t0;
    const paint = await page.evaluate(() => {
      const p = performance.getEntriesByName('first-contentful-paint')[0];
      return p ? Math.round(p.startTime) : null;
    });
    const elements = await page.evaluate(() => document.getElementsByTagName('*').length);
    console.log(`load:     ${loadMs} ms; first contentful paint ${paint} ms; ${elements} elements`);
    if (loadMs > 4000) fail(`load took ${loadMs} ms (> 4000)`);
    if (elements > 100000) fail(`${elements} elements (> 100,000)`);
    const hasMap = await page.evaluate(() => !!window.hecunMap);
    if (!hasMap) throw new Error('window.hecunMap missing: not a large page, or its script failed');

    // Every label inside its own feature, at several views.
    async function checkLabels(what) {
      const labels = await page.evaluate(() => window.hecunMap.labels());
      const byKind = {};
      let outside = 0;
      for (const l of labels) {
        byKind[l.kind] = (byKind[l.kind] || 0) + 1;
        const f = await page.evaluate(([id, kind]) => window.hecunMap.feature(id, kind), [l.id, l.kind]);
        if (!f) { fail(`${what}: label ${l.kind} ${l.id} has no feature`); continue; }
        if (!inside(f.rings, l.x, l.y)) { outside++; fail(`${what}: label ${l.name} (${l.id}) outside its ${l.kind}`); }
      }
      console.log(`labels:   ${what}: ${JSON.stringify(byKind)}, ${outside} outside`);
      return labels;
    }
    await checkLabels('whole region');
    const v = await page.evaluate(() => window.hecunMap.view());
    const w = v.maxX - v.minX;
    const h = v.maxY - v.minY;
    // Closer and closer: townships' names, then villages' appear as there is room for them.
    const kinds = new Set();
    for (const f of [0.12, 0.04, 0.015]) {
      await page.evaluate(([a, b, c, d]) => window.hecunMap.zoomTo(a, b, c, d),
        [v.minX + w * (0.5 - f / 2), v.minY + h * (0.5 - f / 2), v.minX + w * (0.5 + f / 2), v.minY + h * (0.5 + f / 2)]);
      for (const l of await checkLabels(`${f * 100} % of the region across`)) kinds.add(l.kind);
    }
    if (!kinds.has('township')) fail('no township label at any zoom');
    if (!kinds.has('village')) fail('no village label at any zoom');

    // Search: a village by name, a township by name, a village by code prefix.
    const data = await page.evaluate(() => {
      const d = JSON.parse(document.getElementById('map-data').textContent);
      const k = Math.floor(d.villages.name.length / 2);
      return { vname: d.villages.name[k], vid: d.villages.id[k], tname: d.townships.name[1], tid: d.townships.id[1] };
    });
    for (const [text, want] of [[data.vname, data.vid], [data.tname, data.tid], [data.vid.slice(0, 11), null]]) {
      const t1 = Date.now();
      const got = await page.evaluate((s) => window.hecunMap.search(s), text);
      const ms = Date.now() - t1;
      if (got === null) { fail(`search ${text}: nothing found`); continue; }
      const f = await page.evaluate((id) => window.hecunMap.feature(id), got);
      // Names repeat (several 清楼村): a name search must find one of that name.
      if (want !== null && got !== want && f.name !== text) { fail(`search ${text}: got ${got} (${f.name}), want ${want}`); continue; }
      const view = await page.evaluate(() => window.hecunMap.view());
      const inView = f.rings[0].every(([x, y]) => x >= view.minX && x <= view.maxX && y >= view.minY && y <= view.maxY);
      if (!inView) fail(`search ${text}: ${got} not in view after zooming`);
      const info = await page.evaluate(() => document.getElementById('map-info').textContent);
      if (!info.includes(f.name)) fail(`search ${text}: #map-info does not name ${f.name}`);
      console.log(`search:   ${JSON.stringify(text)} → ${got} (${f.kind} ${f.name}) in ${ms} ms`);
    }
    if (await page.evaluate(() => window.hecunMap.search('没有这个名字的村zzz')) !== null) fail('search of nonsense found something');

    // Hover: the village under the pointer is named in #map-info.
    await page.evaluate((id) => window.hecunMap.search(id), data.vid);
    const box = await page.locator('#map-canvas').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const hovered = await page.evaluate(() => document.getElementById('map-info').textContent);
    console.log(`hover:    ${hovered.slice(0, 80)}`);

    await page.evaluate(() => window.hecunMap.search(''));
    await page.click('#map-reset');
    await page.waitForTimeout(200);
    await page.locator('#map-figure').screenshot({ path: mapPng });
    console.log(`screenshot: ${mapPng}`);
  } finally {
    await browser.close();
  }
  if (problems.length) {
    console.log('FAIL: ' + problems.length + ' problem(s)');
    for (const p of problems.slice(0, 40)) console.log('  ' + p);
    process.exit(1);
  }
  console.log('OK: loads offline without errors; labels inside their features; search zooms to what it finds');
}

main().catch((e) => { console.error(e); process.exit(1); });
