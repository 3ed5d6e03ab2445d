'use strict';

const fs = require('fs');

// Resident memory of the largest renderer under the browser process `browserPid`, in MB, from
// /proc (Linux; null elsewhere). The browser's own process and the GPU process are not the
// page's cost; renderers are. Used by check_report.cjs (its limit) and memory.cjs.
function rendererMemoryMb(browserPid) {
  if (!browserPid || !fs.existsSync('/proc')) return null;
  const children = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
      const status = fs.readFileSync(`/proc/${d}/status`, 'utf8');
      const rss = Number((status.match(/VmRSS:\s+(\d+)/) || [0, 0])[1]);
      children.set(Number(d), { ppid, cmd, rss });
    } catch (_) { /* gone meanwhile */ }
  }
  const ours = new Set([browserPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of children) {
      if (!ours.has(pid) && ours.has(p.ppid)) { ours.add(pid); grew = true; }
    }
  }
  let kb = 0;
  for (const pid of ours) {
    const p = children.get(pid);
    if (p && p.cmd.includes('--type=renderer')) kb = Math.max(kb, p.rss);
  }
  return kb / 1024;
}

module.exports = { rendererMemoryMb };
