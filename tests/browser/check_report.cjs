// Opens a hecun report.html in headless Chromium with the network off and checks it as the
// meeting will use it: it stands on its own (no request leaves file:/data:, no console or page
// error), it opens in time and within the browser's means (load event, first paint, elements,
// renderer memory), the map and its furniture are there, every township label lies inside its
// township, search finds a named village, and verdicts read as the failure they report.
// Screenshots the map figure and the page as evidence.
//
// Usage: node check_report.cjs REPORT.html MAP.png FULL.png [options]
//   --search NAME        search for NAME (a village) on the map and expect to land on it
//   --verdict TEXT       expect TEXT in a verdict of the community table (repeatable); found
//                        through the table's filter box when the table is paged
//   --community NAME     the community whose verdict to look up (pairs with the next --verdict)
//   --max-load-ms N      load event within N ms (default 4000)
//   --max-paint-ms N     first paint within N ms (default 2000)
//   --max-elements N     at most N elements in the document after load (default 100000)
//   --max-memory-mb N    renderer resident memory at most N MB (default 500)
//   --json FILE          write what was measured as JSON
// Environment: CHROMIUM (default /usr/bin/chromium).
// Run through check_report.sh, which installs playwright-core outside the repository.

'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { pathToFileURL } = require('url');
const { chromium } = require('playwright-core');
const { rendererMemoryMb } = require('./renderer_memory.cjs');

function parseArgs(argv) {
  const [report, mapPng, fullPng, ...rest] = argv;
  const o = {
    report, mapPng, fullPng,
    search: [], verdicts: [],
    maxLoadMs: 4000, maxPaintMs: 2000, maxElements: 100000, maxMemoryMb: 500,
    json: null,
  };
  let community = null;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const v = rest[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    switch (a) {
      case '--search': o.search.push(v); break;
      case '--community': community = v; break;
      case '--verdict': o.verdicts.push({ community, text: v }); community = null; break;
      case '--max-load-ms': o.maxLoadMs = Number(v); break;
      case '--max-paint-ms': o.maxPaintMs = Number(v); break;
      case '--max-elements': o.maxElements = Number(v); break;
      case '--max-memory-mb': o.maxMemoryMb = Number(v); break;
      case '--json': o.json = v; break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  if (!report || !mapPng || !fullPng) throw new Error('usage: node check_report.cjs REPORT.html MAP.png FULL.png [options]');
  return o;
}

// Even-odd point in polygon over all rings: the checker's own, not the page's.
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
  const o = parseArgs(process.argv.slice(2));
  const url = pathToFileURL(path.resolve(o.report)).href;
  const problems = [];
  const fail = (what) => problems.push(what);
  const measured = { report: o.report };

  // launchServer gives the browser's pid, so the renderer's memory can be read from /proc.
  const server = await chromium.launchServer({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // Root in a container has no user namespace for the sandbox.
    args: ['--no-sandbox', '--disable-gpu', '--enable-precise-memory-info'],
  });
  const browserPid = server.process().pid;
  const browser = await chromium.connect(server.wsEndpoint());
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
      if (u.startsWith('file:') || u.startsWith('data:') || u.startsWith('blob:')) {
        route.continue();
      } else {
        fail(`network request: ${u}`);
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

    const response = await page.goto(url, { waitUntil: 'load', timeout: 60000 });
    if (!response || !response.ok()) fail(`could not load ${url}`);
    // The large page decodes its compressed data after load (unpack.js, window.hecunReady):
    // wait for it as a reader does, and say when it was there (the small page has none).
    const readyMs = await page.evaluate(() => (window.hecunReady
      ? Promise.race([window.hecunReady.then(() => performance.now()),
        new Promise((r) => setTimeout(() => r(-1), 20000))])
      : null));
    if (readyMs === -1) fail('the page\'s data was not decoded within 20 s of load');
    // Let the page's scripts finish what they start on load (first draw of the map).
    await page.waitForTimeout(300);

    const info = await page.evaluate(async () => {
      const nav = performance.getEntriesByType('navigation')[0];
      // Paint timing entries are queued after the frame is presented, which on a loaded
      // machine can be later than the load event: wait for them (the time they carry is
      // when the paint happened, not when we read it). None within 10 s is a page that
      // never painted, and fails below.
      const waitedFrom = performance.now();
      while (performance.getEntriesByType('paint').length === 0 && performance.now() - waitedFrom < 10000) {
        await new Promise((r) => { requestAnimationFrame(() => r()); setTimeout(r, 100); });
      }
      const paint = Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
      const svg = document.querySelector('svg#map');
      return {
        title: document.title,
        lang: document.documentElement.lang,
        loadMs: nav ? nav.loadEventEnd : null,
        firstPaintMs: paint['first-paint'] ?? paint['first-contentful-paint'] ?? null,
        elements: document.getElementsByTagName('*').length,
        heapMb: performance.memory ? performance.memory.usedJSHeapSize / 1048576 : null,
        sections: [...document.querySelectorAll('section[id]')].map((s) => s.id),
        tables: [...document.querySelectorAll('table[id]')].map((t) => `${t.id}(${t.tBodies[0] ? t.tBodies[0].rows.length : 0})`),
        form: window.hecunMap ? 'interactive map' : svg ? 'svg map' : 'no map',
        viewBox: svg && svg.getAttribute('viewBox'),
        villages: document.querySelectorAll('#map-villages path').length,
        townships: document.querySelectorAll('#map-townships path').length,
        scripts: document.scripts.length,
        bytes: document.documentElement.outerHTML.length,
        externalAttrs: [...document.querySelectorAll('[src]:not([src^="data:"]), link[href], [href^="http"]')].length,
      };
    });
    info.rendererMb = rendererMemoryMb(browserPid);
    Object.assign(measured, info);

    if (info.loadMs === null || info.loadMs > o.maxLoadMs) fail(`load event at ${info.loadMs} ms (limit ${o.maxLoadMs})`);
    if (info.firstPaintMs === null || info.firstPaintMs > o.maxPaintMs) fail(`first paint at ${info.firstPaintMs} ms (limit ${o.maxPaintMs})`);
    if (info.elements > o.maxElements) fail(`${info.elements} elements (limit ${o.maxElements})`);
    if (info.rendererMb !== null && info.rendererMb > o.maxMemoryMb) fail(`renderer at ${info.rendererMb.toFixed(0)} MB (limit ${o.maxMemoryMb})`);
    if (info.externalAttrs > 0) fail(`${info.externalAttrs} elements reference external resources`);

    // Present and visible: the map with its furniture, and the tables the meeting reads.
    const required = [
      ['map figure', '#map-figure'],
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

    // Township labels inside their township.
    if (info.form === 'svg map') {
      if (info.villages + info.townships === 0) fail('the map has no village or township shapes');
      // Every village can be hovered: at a point inside each village's shape, the element the
      // pointer would reach is that village (or a name or site drawn over it, which have their
      // own tooltips); never a zone, corridor, road, hatch or boundary.
      const hover = await page.evaluate(async () => {
        const svg = document.querySelector('svg#map');
        const out = { checked: 0, covered: 0, tiny: 0, blocked: [] };
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
        return out;
      });
      measured.hover = hover;
      for (const b of hover.blocked.slice(0, 20)) fail(`village not hoverable: ${b}`);
      if (hover.blocked.length > 20) fail(`… and ${hover.blocked.length - 20} more villages not hoverable`);
      const labels = await page.evaluate(() => {
        const out = [];
        for (const t of document.querySelectorAll('#map-labels text.township')) {
          const id = t.dataset.id;
          const shape = [...document.querySelectorAll('#map-townships path')].find((p) => p.dataset.id === id);
          const x = Number(t.getAttribute('x'));
          const y = Number(t.getAttribute('y'));
          const pt = new DOMPoint(x, y);
          out.push({ id, x, y, found: !!shape, inside: !!shape && shape.isPointInFill(pt) });
        }
        return out;
      });
      // The scale bar stays true as the map zooms: its length on the screen times the metres
      // per screen pixel (the home bar's, times the zoom) is the length it is labelled with.
      const bar = () => page.evaluate(() => {
        const g = document.getElementById('scale-bar');
        if (!g) return null;
        const r = [...g.querySelectorAll('rect')].map((e) => e.getBoundingClientRect());
        const t = [...g.querySelectorAll('text')];
        const label = t[t.length - 1].textContent.trim();
        const m = /^([\d.]+)\s*(k?m)$/.exec(label);
        const svg = document.querySelector('svg#map');
        return { px: r[r.length - 1].right - r[0].left, metres: m ? Number(m[1]) * (m[2] === 'km' ? 1000 : 1) : null, label, viewW: svg.viewBox.baseVal.width, bottom: r[0].bottom, svgBottom: svg.getBoundingClientRect().bottom };
      });
      const before = await bar();
      if (before && before.metres) {
        await page.locator('svg#map').scrollIntoViewIfNeeded();
        const mapBox = await page.locator('svg#map').boundingBox();
        await page.mouse.move(mapBox.x + mapBox.width / 2, mapBox.y + mapBox.height / 3);
        for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -300);
        await page.waitForTimeout(200);
        const after = await bar();
        const k = after.viewW / before.viewW;
        const want = (before.metres / before.px) * k * after.px;
        measured.scaleBar = `${before.label} → ${after.label} at zoom ×${(1 / k).toFixed(2)}`;
        if (!(k < 0.9)) fail(`the map did not zoom on the wheel (view ${before.viewW} → ${after.viewW})`);
        else if (!after.metres || Math.abs(want - after.metres) > 0.02 * after.metres) fail(`scale bar after zooming says ${after.label}, measures ${want.toFixed(1)} m`);
        if (after.bottom > after.svgBottom + 1) fail('scale bar left the map when zoomed');
        await page.evaluate(() => document.getElementById('map-reset').click());
      }
      measured.townshipLabels = labels.length;
      if (labels.length === 0) fail('no township labels (#map-labels text.township) on the map');
      for (const l of labels) {
        if (!l.found) fail(`township label ${l.id}: no township shape with that data-id`);
        else if (!l.inside) fail(`township label ${l.id} at (${l.x}, ${l.y}) lies outside its township`);
      }
    } else if (info.form === 'interactive map') {
      // At the whole view and after zooming in, every township label drawn lies inside its
      // township's rings (the checker's own point-in-polygon on the page's geometry).
      const views = await page.evaluate(() => {
        const seen = [];
        const look = () => {
          for (const l of window.hecunMap.labels()) {
            if (l.kind !== 'township' && l.kind !== 'village') continue;
            const f = window.hecunMap.feature(l.id);
            seen.push({ kind: l.kind, id: l.id, name: l.name, x: l.x, y: l.y, rings: f ? f.rings : null });
          }
        };
        look();
        return seen;
      });
      let checked = await checkLabels(views, fail);
      // Zoom in about the map's middle until names show (a province needs several steps).
      await page.locator('#map-canvas').scrollIntoViewIfNeeded();
      const box = await page.locator('#map-canvas').boundingBox();
      for (let i = 0; i < 12; i++) {
        if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.wheel(0, -600);
        await page.waitForTimeout(150);
        const n = await page.evaluate(() => window.hecunMap.labels().filter((l) => l.kind === 'township').length);
        if (n > 0 && i >= 2) break;
      }
      const zoomed = await page.evaluate(() => window.hecunMap.labels().filter((l) => l.kind === 'township' || l.kind === 'village')
        .map((l) => ({ ...l, rings: (window.hecunMap.feature(l.id) || {}).rings || null })));
      checked += await checkLabels(zoomed, fail);
      // Closer still, about the middle, until villages are named too.
      const kinds = new Set([...views, ...zoomed].map((l) => l.kind));
      const whole = await page.evaluate(() => { document.getElementById('map-reset').click(); return window.hecunMap.view(); });
      for (const f of [0.04, 0.015, 0.006]) {
        const cx = (whole.minX + whole.maxX) / 2;
        const cy = (whole.minY + whole.maxY) / 2;
        const hw = ((whole.maxX - whole.minX) * f) / 2;
        const hh = ((whole.maxY - whole.minY) * f) / 2;
        const near = await page.evaluate(([a, b, c, d]) => {
          window.hecunMap.zoomTo(a, b, c, d);
          return window.hecunMap.labels().filter((l) => l.kind === 'township' || l.kind === 'village')
            .map((l) => ({ ...l, rings: (window.hecunMap.feature(l.id, l.kind) || {}).rings || null }));
        }, [cx - hw, cy - hh, cx + hw, cy + hh]);
        checked += await checkLabels(near, fail);
        for (const l of near) kinds.add(l.kind);
      }
      measured.labelKinds = [...kinds];
      if (!kinds.has('village')) fail('no village name at any zoom');
      measured.labelsChecked = checked;
      // Names appear as you zoom: a province's 1,500 township names do not fit its whole view,
      // but closer in some must show.
      if (views.length + zoomed.length === 0) fail('no township or village label, whole or zoomed in');
    }

    // A large page: its map's search by township name and by 区划代码 prefix, and its paged
    // tables as a planner drives them.
    if (info.form === 'interactive map') {
      await checkAtlasSearch(page, fail, measured);
      await checkPagedTables(page, fail, measured);
    }

    // Search finds a named village and shows it.
    measured.search = [];
    for (const name of o.search) {
      const found = await page.evaluate((name) => {
        const box = document.querySelector('#map-search');
        if (!box) return { error: 'no #map-search box' };
        box.value = name;
        box.dispatchEvent(new Event('input', { bubbles: true }));
        box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
        const infoPanel = document.querySelector('#map-info');
        return { panel: infoPanel ? infoPanel.textContent : '', focus: document.querySelector('#map-figure').dataset.focus || null };
      }, name);
      await page.waitForTimeout(200);
      const panel = await page.evaluate(() => (document.querySelector('#map-info') || {}).textContent || '');
      measured.search.push({ name, panel: panel.slice(0, 200) });
      if (found.error) fail(`search: ${found.error}`);
      else if (!panel.includes(name)) fail(`search for ${name}: the info panel does not show it (${JSON.stringify(panel.slice(0, 120))})`);
    }

    // Verdicts read as the failure.
    measured.verdicts = [];
    for (const v of o.verdicts) {
      const text = await page.evaluate(async (v) => {
        const table = document.querySelector('#community-table');
        if (!table) return null;
        const filter = document.querySelector('input[data-filter-for="community-table"]');
        if (filter && v.community) {
          filter.value = v.community;
          filter.dispatchEvent(new Event('input', { bubbles: true }));
          await new Promise((r) => setTimeout(r, 100));
        }
        const rows = [...table.tBodies[0].rows].map((r) => r.textContent);
        const row = rows.find((r) => (!v.community || r.includes(v.community)) && r.includes(v.text));
        return row || null;
      }, v);
      measured.verdicts.push({ ...v, row: text });
      if (!text) fail(`no community row${v.community ? ` of ${v.community}` : ''} whose verdict reads ${JSON.stringify(v.text)}`);
    }

    const figure = page.locator('#map-figure');
    if ((await figure.count()) === 1) {
      // The whole region for the evidence, as the map opens.
      await page.evaluate(() => { const r = document.getElementById('map-reset'); if (r) r.click(); });
      await page.waitForTimeout(200);
      await figure.screenshot({ path: o.mapPng });
    }
    await page.screenshot({ path: o.fullPng, fullPage: info.elements < 20000 });

    console.log(`report:   ${o.report}`);
    console.log(`title:    ${info.title}`);
    console.log(`lang:     ${info.lang}`);
    console.log(`size:     ${info.bytes} characters, ${info.scripts} scripts, ${info.elements} elements`);
    console.log(`timing:   load ${fmt(info.loadMs)} ms, first paint ${fmt(info.firstPaintMs)} ms${readyMs > 0 ? `, data decoded ${fmt(readyMs)} ms` : ''}`);
    console.log(`memory:   renderer ${info.rendererMb === null ? '?' : info.rendererMb.toFixed(0)} MB, JS heap ${info.heapMb === null ? '?' : info.heapMb.toFixed(0)} MB`);
    console.log(`requests: ${requests.length} (${[...new Set(requests.map((u) => u.split(':')[0]))].join(', ')})`);
    console.log(`sections: ${info.sections.join(' ')}`);
    console.log(`tables:   ${info.tables.join(' ')}`);
    console.log(`map:      ${info.form}${info.viewBox ? `, viewBox ${info.viewBox}; ${info.townships} townships, ${info.villages} villages` : ''}; labels checked ${measured.townshipLabels ?? measured.labelsChecked ?? 0}`);
    for (const s of measured.search) console.log(`search:   ${s.name} → ${JSON.stringify(s.panel.slice(0, 80))}`);
    if (measured.scaleBar) console.log(`scale bar: ${measured.scaleBar}`);
    if (measured.hover) console.log(`hover:    ${measured.hover.checked} villages checked, ${measured.hover.covered} under a name or site, ${measured.hover.tiny} too small to aim at, ${measured.hover.blocked.length} blocked`);
    for (const v of measured.verdicts) console.log(`verdict:  ${v.text} → ${v.row ? 'found' : 'missing'}`);
    for (const a of measured.atlasSearch || []) console.log(`map search: ${a}`);
    if (measured.tables) console.log(`tables:   ${measured.tables.count}; next ${measured.tables.next}; filter ${measured.tables.filter}; sorted ${(measured.tables.sorted || []).join(', ')} …; township ${measured.tables.township}; verdict ${measured.tables.verdict}; back ${measured.tables.back}`);
    console.log(`screenshots: ${o.mapPng} ${o.fullPng}`);
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
  if (o.json) fs.writeFileSync(o.json, JSON.stringify({ ...measured, problems }, null, 2));

  if (problems.length > 0) {
    console.log(`FAIL: ${problems.length} problem(s)`);
    for (const p of problems.slice(0, 50)) console.log(`  - ${p}`);
    process.exit(1);
  }
  console.log('OK: loads offline in time without errors; map, legend, scale bar, north arrow, tables; labels inside; search; verdicts');
}

function fmt(ms) {
  return ms === null || ms === undefined ? '?' : ms.toFixed(0);
}

async function checkLabels(labels, fail) {
  let n = 0;
  for (const l of labels) {
    if (!l.rings) { fail(`${l.kind} label ${l.name} (${l.id}): hecunMap.feature gives no rings`); continue; }
    n++;
    if (!inside(l.rings, l.x, l.y)) fail(`${l.kind} label ${l.name} (${l.id}) at (${l.x}, ${l.y}) lies outside its feature`);
  }
  return n;
}

// The large map's search through its own hook (the box is checked with o.search): a
// township by name, a village by the first 11 digits of its code, and a name no feature has.
async function checkAtlasSearch(page, fail, measured) {
  const data = await page.evaluate(() => {
    const any = (kind) => {
      for (const l of window.hecunMap.labels()) if (l.kind === kind) return l;
      return null;
    };
    window.hecunMap.search('');
    // A village's code: from a village label if one is drawn, else the village table's first row.
    const label = any('village');
    const cell = document.querySelector('#village-table tbody td');
    const link = document.querySelector('#township-table tbody a');
    const township = any('township') || (link ? { name: link.textContent.trim() } : null);
    return { township, village: label ? label.id : cell ? cell.textContent.trim() : null };
  });
  measured.atlasSearch = [];
  const tries = [];
  if (data.township) tries.push([data.township.name, data.township]);
  if (data.village) tries.push([String(data.village).slice(0, 11), null]);
  for (const [text, want] of tries) {
    const got = await page.evaluate((t) => window.hecunMap.search(t), text);
    if (got === null) { fail(`map search ${text}: nothing found`); continue; }
    const f = await page.evaluate((id) => window.hecunMap.feature(id), got);
    if (!f) { fail(`map search ${text}: ${got} has no feature`); continue; }
    // Names repeat: a name search must find one of that name; a code prefix a code under it.
    if (want ? f.name !== text : !String(got).startsWith(text)) fail(`map search ${text}: found ${got} (${f.name})`);
    const view = await page.evaluate(() => window.hecunMap.view());
    const inView = f.rings[0].every(([x, y]) => x >= view.minX && x <= view.maxX && y >= view.minY && y <= view.maxY);
    if (!inView) fail(`map search ${text}: ${got} not in view after zooming to it`);
    measured.atlasSearch.push(`${text} → ${got} ${f.name}`);
  }
  if ((await page.evaluate(() => window.hecunMap.search('没有这个名字的村zzz'))) !== null) fail('map search for a name no feature has found something');
  await page.evaluate(() => { window.hecunMap.search(''); const r = document.getElementById('map-reset'); if (r) r.click(); });
}

// The large page's tables: page the village table, filter it by a code from its second page,
// sort it by households (descending on the second click), open a township's detail from the
// township table and a community's verdict from there, and go back. Waits on what the page
// shows, not on the clock: the tables' data may be decoded after the load event.
async function checkPagedTables(page, fail, measured) {
  const t = { };
  measured.tables = t;
  const rows = (id) => page.evaluate((id) => [...document.querySelector(`#${id}`).tBodies[0].rows]
    .map((r) => [...r.cells].map((c) => c.textContent)), id);
  const count = (id) => page.evaluate((id) => document.querySelector(`[data-filter-for="${id}"]`)
    .parentNode.querySelector('.pager-count').textContent, id);
  const soon = (fn, arg) => page.waitForFunction(fn, arg, { timeout: 10000 }).then(() => true, () => false);
  if ((await page.locator('[data-filter-for="village-table"]').count()) !== 1) {
    fail('large page: the village table has no filter box (input[data-filter-for="village-table"])');
    return;
  }
  const first = await rows('village-table');
  t.count = await count('village-table');
  // The next page, when there is one (its rows are the ones filtered below).
  const more = await page.evaluate(() => {
    const bar = document.querySelector('[data-filter-for="village-table"]').parentNode;
    return !bar.querySelectorAll('button')[2].disabled;
  });
  if (more) {
    await page.evaluate(() => {
      const bar = document.querySelector('[data-filter-for="village-table"]').parentNode;
      [...bar.querySelectorAll('button')][2].click();
    });
    const moved = await soon((code) => {
      const r = document.querySelector('#village-table').tBodies[0].rows[0];
      return r && r.cells[0].textContent !== code;
    }, first[0][0]);
    if (!moved) { fail('village table: the next page shows the same rows'); return; }
    t.next = await count('village-table');
  } else {
    t.next = 'one page';
  }
  const second = await rows('village-table');

  const code = second[Math.min(3, second.length - 1)][0];
  await page.fill('[data-filter-for="village-table"]', code);
  await soon((code) => [...document.querySelector('#village-table').tBodies[0].rows]
    .every((r) => r.textContent.includes(code)), code);
  const found = await rows('village-table');
  t.filter = `${code} → ${await count('village-table')}`;
  if (!found.length || !found.every((r) => r.join(' ').includes(code))) fail(`village table: filtering by ${code} shows other rows`);
  await page.fill('[data-filter-for="village-table"]', '');

  await page.click('#village-table thead th:nth-child(4)');
  await page.click('#village-table thead th:nth-child(4)');
  const sorted = (await rows('village-table')).map((r) => Number(r[3].replace(/[,\s]/g, '')));
  t.sorted = sorted.slice(0, 5);
  for (let i = 1; i < sorted.length; i++) if (!(sorted[i] <= sorted[i - 1])) { fail(`village table: households not sorted descending (${sorted.slice(0, 8).join(', ')})`); break; }

  const township = await page.evaluate(() => {
    const a = document.querySelector('#township-table tbody tr:nth-child(3) a');
    if (!a) return null;
    a.click();
    return a.textContent;
  });
  if (!township) { fail('township table: no link to a township detail'); return; }
  const shown = await soon((name) => {
    const v = document.querySelector('#township-view');
    return v && !v.hidden && v.querySelector('h3') && v.querySelector('h3').textContent.includes(name);
  }, township);
  const detail = await page.evaluate(() => {
    const v = document.querySelector('#township-view');
    return v && !v.hidden ? { tables: v.querySelectorAll('table').length, hash: location.hash } : null;
  });
  t.township = `${township} → ${JSON.stringify(detail)}`;
  if (!shown || !detail) { fail(`township detail of ${township} not shown`); return; }
  const community = await page.evaluate(() => {
    const a = document.querySelector('#township-view a[href^="#community-"]')
      || document.querySelector('#community-table a[href^="#community-"]');
    if (!a) return null;
    a.click();
    return a.getAttribute('href');
  });
  if (!community) { fail('no link to a community verdict'); return; }
  const verdict = await soon((id) => {
    const b = document.getElementById(id);
    return b && b.querySelector('h3');
  }, community.slice(1));
  t.verdict = community;
  if (!verdict) fail(`verdict ${community} not shown from its link`);
  await page.goBack();
  await soon(() => location.hash.startsWith('#township-'));
  t.back = await page.evaluate(() => location.hash);
  if (!t.back.startsWith('#township-')) fail(`back from a verdict goes to ${t.back}, not the township`);
  await page.evaluate(() => { location.hash = ''; window.scrollTo(0, 0); });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
