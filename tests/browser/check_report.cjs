// Opens a hecun report.html in headless Chromium with the network off and checks that it
// stands on its own: no request leaves file:/data:, no console error, no page error, and the
// map (with legend, scale bar and north arrow) and the main tables are there and visible.
// Screenshots the map figure and the whole page as evidence.
//
// Usage: node check_report.cjs REPORT.html MAP.png FULL.png
// Environment: CHROMIUM (default /usr/bin/chromium).
// Run through check_report.sh, which installs playwright-core outside the repository.

'use strict';

const path = require('path');
const { pathToFileURL } = require('url');
const { chromium } = require('playwright-core');

async function main() {
  const [report, mapPng, fullPng] = process.argv.slice(2);
  if (!report || !mapPng || !fullPng) {
    console.error('usage: node check_report.cjs REPORT.html MAP.png FULL.png');
    process.exit(2);
  }
  const url = pathToFileURL(path.resolve(report)).href;
  const problems = [];
  const fail = (what) => problems.push(what);

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // Root in a container has no user namespace for the sandbox.
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const context = await browser.newContext({
      offline: true,
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
      javaScriptEnabled: true,
    });
    // Every request is seen here: the page itself (file:) and inline data: are fine,
    // anything else means the report is not self-contained.
    const requests = [];
    await context.route('**/*', (route) => {
      const u = route.request().url();
      requests.push(u);
      if (u.startsWith('file:') || u.startsWith('data:')) {
        route.continue();
      } else {
        fail(`external request: ${u}`);
        route.abort();
      }
    });
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') fail(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => fail(`page error: ${err.message}`));
    page.on('requestfailed', (req) => {
      const u = req.url();
      if (u.startsWith('file:') || u.startsWith('data:')) {
        fail(`request failed: ${u} (${req.failure() && req.failure().errorText})`);
      }
    });

    const response = await page.goto(url, { waitUntil: 'load' });
    if (!response || !response.ok()) fail(`could not load ${url}`);

    const info = await page.evaluate(() => {
      const svg = document.querySelector('svg#map');
      return {
        title: document.title,
        lang: document.documentElement.lang,
        sections: [...document.querySelectorAll('section[id]')].map((s) => s.id),
        tables: [...document.querySelectorAll('table[id]')].map((t) => `${t.id}(${t.tBodies[0] ? t.tBodies[0].rows.length : 0})`),
        viewBox: svg && svg.getAttribute('viewBox'),
        villages: document.querySelectorAll('#map-villages path').length,
        townships: document.querySelectorAll('#map-townships path').length,
        roadClasses: [...document.querySelectorAll('#map-legend .legend-roads li')].map((li) => li.textContent.trim()),
        sites: document.querySelectorAll('#map-sites .site').length,
        chosen: document.querySelectorAll('#map-sites .chosen-site').length,
        labels: document.querySelectorAll('#map-labels text').length,
        externalAttrs: [...document.querySelectorAll('[src], link[href], [href^="http"]')].length,
        scripts: document.scripts.length,
        bytes: document.documentElement.outerHTML.length,
      };
    });

    // Present and visible: the map with its furniture, and the tables the meeting reads.
    const required = [
      ['map', 'svg#map'],
      ['legend', '#map-legend'],
      ['scale bar', '#scale-bar'],
      ['north arrow', '#north-arrow'],
      ['township table', '#township-table'],
      ['community table', '#community-table'],
    ];
    for (const [name, selector] of required) {
      const el = page.locator(selector);
      const n = await el.count();
      if (n !== 1) {
        fail(`${name} (${selector}): ${n} elements, expected 1`);
        continue;
      }
      if (!(await el.isVisible())) {
        fail(`${name} (${selector}) is not visible`);
        continue;
      }
      const box = await el.boundingBox();
      if (!box || box.width < 5 || box.height < 5) fail(`${name} (${selector}) has no size`);
    }
    // A map that drew nothing still has a viewBox: ask for painted features.
    if (info.villages + info.townships === 0) fail('the map has no village or township shapes');
    if (info.externalAttrs > 0) fail(`${info.externalAttrs} elements reference external resources`);

    const figure = page.locator('#map-figure');
    if ((await figure.count()) === 1) {
      // A sharper second look at the map alone, for the evidence.
      const sharp = await browser.newContext({
        offline: true,
        viewport: { width: 1280, height: 900 },
        deviceScaleFactor: 2,
      });
      await sharp.route('**/*', (route) => {
        const u = route.request().url();
        if (u.startsWith('file:') || u.startsWith('data:')) route.continue();
        else route.abort();
      });
      const mapPage = await sharp.newPage();
      await mapPage.goto(url, { waitUntil: 'load' });
      await mapPage.locator('#map-figure').screenshot({ path: mapPng });
      await sharp.close();
    } else {
      fail('no #map-figure to screenshot');
    }
    await page.screenshot({ path: fullPng, fullPage: true });

    console.log(`report:   ${report}`);
    console.log(`title:    ${info.title}`);
    console.log(`lang:     ${info.lang}`);
    console.log(`size:     ${info.bytes} characters, ${info.scripts} scripts`);
    console.log(`requests: ${requests.length} (${[...new Set(requests.map((u) => u.split(':')[0]))].join(', ')})`);
    console.log(`sections: ${info.sections.join(' ')}`);
    console.log(`tables:   ${info.tables.join(' ')}`);
    console.log(`map:      viewBox ${info.viewBox}; ${info.townships} townships, ${info.villages} villages, ${info.sites} sites (${info.chosen} chosen), ${info.labels} labels`);
    console.log(`roads in legend: ${info.roadClasses.join(', ')}`);
    console.log(`screenshots: ${mapPng} ${fullPng}`);
    await context.close();
  } finally {
    await browser.close();
  }

  if (problems.length > 0) {
    console.log(`FAIL: ${problems.length} problem(s)`);
    for (const p of problems) console.log(`  - ${p}`);
    process.exit(1);
  }
  console.log('OK: map, legend, scale bar, north arrow and tables present; no console errors; no external requests');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
