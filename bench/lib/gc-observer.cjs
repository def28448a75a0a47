// Preloaded (`node --require`) into a benchmarked service by bench/profile/threads.mjs. Counts the
// garbage collections of the service's main thread by kind (count and pause time), and on each
// SIGWINCH appends what it counted since the last one to GC_REPORT_FILE as a JSON line, then
// starts again. SIGWINCH, because Nest's shutdown hooks take SIGUSR2. (The preload runs in the
// log worker too, where no signal reaches it.)
const { appendFileSync } = require('node:fs');
const { constants, PerformanceObserver } = require('node:perf_hooks');

const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'markCompact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incrementalMarking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakCallbacks',
};
let counted = {};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (counted[KINDS[entry.detail.kind] ?? String(entry.detail.kind)] ??= {
      count: 0,
      pauseMs: 0,
    });
    kind.count++;
    kind.pauseMs += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

process.on('SIGWINCH', () => {
  appendFileSync(process.env.GC_REPORT_FILE, `${JSON.stringify(counted)}\n`);
  counted = {};
});
