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

    // Issue 15: every village can be hovered. At a point inside each village's shape, the
    // element the pointer would reach is that village (or a name or site drawn over it,
    // which have their own tooltips); never a zone, corridor, road, hatch or boundary.
    // And every township name's anchor lies inside its township.
    const hover = await page.evaluate(async () => {
      const svg = document.querySelector('svg#map');
      const out = { checked: 0, covered: 0, tiny: 0, blocked: [], labels: 0, outside: [] };
      if (!svg) return out;
      const inside = (path, x, y) => {
        const p = svg.createSVGPoint();
        p.x = x;
        p.y = y;
        return path.isPointInFill(p);
      };
      for (const path of document.querySelectorAll('#map-villages path')) {
        const b = path.getBBox();
        // The sample point nearest the box's centre that lies inside the shape.
        let best = null;
        const n = 9;
        for (let i = 1; i < n; i++) {
          for (let j = 1; j < n; j++) {
            const x = b.x + (b.width * i) / n;
            const y = b.y + (b.height * j) / n;
            if (!inside(path, x, y)) continue;
            const d = Math.hypot(x - b.x - b.width / 2, y - b.y - b.height / 2);
            if (!best || d < best.d) best = { x, y, d };
          }
        }
        if (!best) {
          out.tiny += 1;
          continue;
        }
        const m = svg.getScreenCTM();
        let cx = m.a * best.x + m.c * best.y + m.e;
        let cy = m.b * best.x + m.d * best.y + m.f;
        if (cy < 0 || cy >= window.innerHeight || cx < 0 || cx >= window.innerWidth) {
          window.scrollBy(cx - window.innerWidth / 2, cy - window.innerHeight / 2);
          const m2 = svg.getScreenCTM();
          cx = m2.a * best.x + m2.c * best.y + m2.e;
          cy = m2.b * best.x + m2.d * best.y + m2.f;
        }
        const hit = document.elementFromPoint(cx, cy);
        out.checked += 1;
        if (hit === path) continue;
        if (hit && (hit.closest('#map-labels') || hit.closest('#map-sites'))) {
          out.covered += 1;
          continue;
        }
        const title = path.querySelector('title');
        const what = hit ? `${hit.tagName}${hit.closest('g[id]') ? ' in #' + hit.closest('g[id]').id : ''}` : 'nothing';
        out.blocked.push(`${title ? title.textContent : '?'} → ${what}`);
      }
      window.scrollTo(0, 0);
      for (const text of document.querySelectorAll('#map-labels text.label.township')) {
        out.labels += 1;
        const id = text.getAttribute('data-id');
        const township = [...document.querySelectorAll('#map-townships path.township')].find(
          (p) => p.getAttribute('data-id') === id,
        );
        const x = Number(text.getAttribute('x'));
        const y = Number(text.getAttribute('y'));
        if (!township || !inside(township, x, y)) out.outside.push(id);
      }
      return out;
    });
    for (const b of hover.blocked.slice(0, 20)) fail(`village not hoverable: ${b}`);
    if (hover.blocked.length > 20) fail(`… and ${hover.blocked.length - 20} more villages not hoverable`);
    for (const id of hover.outside) fail(`township label ${id} is anchored outside its township`);

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
    console.log(`hover:    ${hover.checked} villages checked, ${hover.covered} under a name or site, ${hover.tiny} too small to aim at, ${hover.blocked.length} blocked`);
    console.log(`labels:   ${hover.labels} township names, ${hover.outside.length} outside their township`);
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
