// Where case 2's read spends its CPU, by thread, for services with different settings side by side:
// the main thread, V8's helper threads (parallel and concurrent garbage collection, background
// compilation), the log worker and libuv's pool, read from /proc around each load slice (threads
// are told apart by the names Node 26 gives them), with the main thread's garbage collections
// counted from inside the service (bench/lib/gc-observer.cjs). The services
// take turns slice by slice, each round in another order, so the machine's drift falls on all
// alike; CPU per request moves far less with other load than requests/s do.
// Usage: npm exec -- node bench/profile/threads.mjs '<sides>' [seconds=8] [rounds=3] [connections=50]
//   sides: a JSON object, one entry per service:
//   {"untraced": {}, "traced": {"traced": true}, "one in ten": {"traced": true,
//    "env": {"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.1"}},
//    "no pretenuring": {"v8Flags": "--no-allocation-site-pretenuring"}}
//   "traced" traces every request to a no-op exporter, as case 9 does; "v8Flags" go to node on its
//   command line (V8 flags NODE_OPTIONS does not take). A slice with a failed request stops the run.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, median } from '../lib/load.mjs';
import { startProfiledService, usersMeRequest } from './profiled-service.mjs';

const GC_OBSERVER = fileURLToPath(new URL('../lib/gc-observer.cjs', import.meta.url));
const WARM_UP_SECONDS = 3;

const [sidesJson, seconds = 8, rounds = 3, connections = 50] = [
  process.argv[2],
  ...process.argv.slice(3).map(Number),
];
if (!sidesJson) {
  console.error(
    "Usage: node bench/profile/threads.mjs '<sides JSON>' [seconds] [rounds] [connections]",
  );
  process.exit(2);
}
const sides = Object.entries(JSON.parse(sidesJson));
const dir = mkdtempSync(join(tmpdir(), 'tempmessenger-threads-'));

/** CPU time so far of each thread of `pid`, in µs, summed by group (numbered names folded). */
function threadCpu(pid) {
  const groups = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const group = tid === String(pid) ? 'main' : name.replace(/[\d\s]+$/, '');
    // utime and stime, in clock ticks of 10 ms.
    groups[group] = (groups[group] ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10_000;
  }
  return groups;
}

/** Asks a service's GC observer for what it counted since the last time, and waits for its line. */
async function gcSinceLast({ service, gcReport }) {
  const reportLines = () =>
    existsSync(gcReport) ? readFileSync(gcReport, 'utf8').split('\n') : [];
  // The file ends with a newline, so a report of n lines splits into n + 1 parts.
  const linesBefore = Math.max(reportLines().length - 1, 0);
  process.kill(service.pid, 'SIGWINCH');
  for (let waited = 0; waited < 5000; waited += 20) {
    const lines = reportLines();
    if (lines.length - 1 > linesBefore) return JSON.parse(lines.at(-2));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the service's GC observer did not answer (${gcReport})`);
}

/** One entry per side: { name, service, request, gcReport }. */
const running = [];
const slices = new Map(sides.map(([name]) => [name, []]));
try {
  for (const [name, side] of sides) {
    const gcReport = join(dir, `${running.length}.gc.jsonl`);
    const service = await startProfiledService({
      traced: side.traced,
      preloads: [GC_OBSERVER],
      env: { ...side.env, GC_REPORT_FILE: gcReport },
      nodeArgs: side.v8Flags?.split(/\s+/) ?? [],
    });
    // Kept before anything else can fail, so that the `finally` below stops it.
    const entry = { name, service, gcReport };
    running.push(entry);
    entry.request = { ...(await usersMeRequest(service.base)), connections };
    await load({ ...entry.request, duration: WARM_UP_SECONDS });
  }
  for (let round = 0; round < rounds; round++) {
    const order = running
      .slice(round % running.length)
      .concat(running.slice(0, round % running.length));
    for (const side of order) {
      await gcSinceLast(side);
      const before = threadCpu(side.service.pid);
      const result = await load({ ...side.request, duration: seconds });
      const after = threadCpu(side.service.pid);
      const gc = await gcSinceLast(side);
      if (result.failures > 0) {
        throw new Error(`${side.name}: ${result.failures} of ${result.requests} requests failed`);
      }
      const perRequest = (value) => value / result.requests;
      const threads = Object.fromEntries(
        Object.keys(after).map((group) => [group, perRequest(after[group] - (before[group] ?? 0))]),
      );
      const slice = {
        rps: result.rps,
        cpuUs: Object.values(threads).reduce((sum, value) => sum + value, 0),
        threads,
        scavengesPer1000: perRequest((gc.scavenge?.count ?? 0) * 1000),
        markCompactsPer1000: perRequest((gc.markCompact?.count ?? 0) * 1000),
        gcPauseUs: perRequest(
          Object.values(gc).reduce((sum, kind) => sum + kind.pauseMs, 0) * 1000,
        ),
      };
      slices.get(side.name).push(slice);
      console.log(`${side.name} (round ${round + 1}): ${describe(slice)}`);
    }
  }
} finally {
  for (const { service } of running) await service.stop();
  rmSync(dir, { recursive: true, force: true });
}

console.log('\nmedians of the rounds, µs of CPU per request:');
const [first] = sides;
const firstCpu = median(slices.get(first[0]).map((slice) => slice.cpuUs));
for (const [name] of sides) {
  const of = (pick) => median(slices.get(name).map(pick));
  const groups = Object.keys(slices.get(name)[0].threads);
  const cpu = of((slice) => slice.cpuUs);
  console.log(
    `${name}: ${describe({
      rps: of((slice) => slice.rps),
      cpuUs: cpu,
      threads: Object.fromEntries(
        groups.map((group) => [group, of((slice) => slice.threads[group])]),
      ),
      scavengesPer1000: of((slice) => slice.scavengesPer1000),
      markCompactsPer1000: of((slice) => slice.markCompactsPer1000),
      gcPauseUs: of((slice) => slice.gcPauseUs),
    })}; CPU per request ${(cpu / firstCpu).toFixed(2)} of ${first[0]}'s`,
  );
}

function describe({ rps, cpuUs, threads, scavengesPer1000, markCompactsPer1000, gcPauseUs }) {
  const byThread = Object.entries(threads)
    .filter(([, us]) => us >= 0.5)
    .map(([group, us]) => `${group} ${us.toFixed(1)}`)
    .join(', ');
  return (
    `${Math.round(rps)} req/s, CPU ${cpuUs.toFixed(1)} µs (${byThread}); ` +
    `GC pauses ${gcPauseUs.toFixed(1)} µs, ${scavengesPer1000.toFixed(1)} scavenges and ` +
    `${markCompactsPer1000.toFixed(2)} mark-compacts per 1,000 requests`
  );
}
