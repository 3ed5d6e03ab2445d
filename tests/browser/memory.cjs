// Where a report page's renderer memory goes: resident memory of the renderer and the JS heap
// once the page's data is decoded, then again after a forced garbage collection (which the page
// itself cannot ask for), so that garbage left by decoding is told from what the page holds.
// A measuring aid, not a check: check_report.cjs holds the limits.
//
//   NODE_PATH=~/.cache/hecun-browser-check/node_modules node tests/browser/memory.cjs REPORT.html
//
// (check_report.sh installs playwright-core there on first use.) Environment: CHROMIUM
// (default /usr/bin/chromium). Linux only (reads /proc).
'use strict';

const path = require('path');
const { chromium } = require('playwright-core');
const { rendererMemoryMb } = require('./renderer_memory.cjs');

async function main() {
  const report = process.argv[2];
  if (!report) { console.error('usage: node memory.cjs REPORT.html'); process.exit(2); }
  const server = await chromium.launchServer({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const root = server.process().pid;
  const browser = await chromium.connect(server.wsEndpoint());
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto('file://' + path.resolve(report), { waitUntil: 'load' });
    await page.evaluate(() => window.hecunReady);
    await page.waitForTimeout(500);
    const cdp = await page.context().newCDPSession(page);
    const say = async (when) => {
      const h = await cdp.send('Runtime.getHeapUsage');
      console.log(`${when}: renderer ${rendererMemoryMb(root).toFixed(0)} MB, JS heap ` +
        `${(h.usedSize / 1048576).toFixed(0)} MB used of ${(h.totalSize / 1048576).toFixed(0)} MB`);
    };
    await say('decoded        ');
    await cdp.send('HeapProfiler.collectGarbage');
    await page.waitForTimeout(500);
    await say('after a full GC');
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
