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

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

// Resident memory of the largest renderer under the browser process `root`, in MB.
function rendererMb(root) {
  const procs = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
      const status = fs.readFileSync(`/proc/${d}/status`, 'utf8');
      const rss = Number((status.match(/VmRSS:\s+(\d+)/) || [0, 0])[1]);
      procs.set(Number(d), { ppid, cmd, rss });
    } catch (_) { /* gone meanwhile */ }
  }
  const ours = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, p] of procs) {
      if (!ours.has(pid) && ours.has(p.ppid)) { ours.add(pid); grew = true; }
    }
  }
  let kb = 0;
  for (const pid of ours) {
    const p = procs.get(pid);
    if (p && p.cmd.includes('--type=renderer')) kb = Math.max(kb, p.rss);
  }
  return kb / 1024;
}

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
      console.log(`${when}: renderer ${rendererMb(root).toFixed(0)} MB, JS heap ` +
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
