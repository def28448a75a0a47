// What every case that compares the service with a hand-written baseline needs: starting the
// baseline, checking both give the same answer, and alternating their runs.
import { spawn } from 'node:child_process';
import { clearTimeout } from 'node:timers';
import { URL, fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { load } from './load.mjs';
import {
  BENCH_DATABASE_URL,
  BENCH_REDIS_URL,
  processCpuSeconds,
  processRssMb,
} from './service.mjs';

/** Each round runs both sides, the first side swapping every round so drift favours neither. */
export function alternate({ urls, headers, connections, seconds, rounds }) {
  return alternateSides({
    rounds,
    measure: (side) => load({ url: urls[side], headers, connections, duration: seconds }),
  });
}

/**
 * `alternate` for any load: `measure(side)` runs one side ('service' or 'baseline') for one slice
 * and resolves to figures with `rps`, `p50`, `p99` and `failures` (as `load` or `loopLoad` give).
 */
export async function alternateSides({ rounds, measure }) {
  const rows = [];
  for (let round = 1; round <= rounds; round++) {
    const figures = {};
    for (const side of round % 2 ? ['service', 'baseline'] : ['baseline', 'service']) {
      const { rps, p50, p99, failures } = await measure(side);
      figures[side] = { rps, p50, p99, failures };
    }
    const { service, baseline } = figures;
    rows.push({ round, service, baseline, ratio: service.rps / baseline.rps });
  }
  return rows;
}

/**
 * The baseline must answer what the service answers, or the comparison means nothing;
 * `normalize` takes out what may differ between two calls.
 */
export async function expectSameAnswer({ urls, headers, normalize = (body) => body }) {
  const [service, baseline] = await Promise.all(
    [urls.service, urls.baseline].map(async (url) => {
      const response = await fetch(url, { headers });
      return `${response.status} ${JSON.stringify(normalize(await response.json()))}`;
    }),
  );
  if (service !== baseline) {
    throw new Error(
      `baseline answers differently:\n  service:  ${service}\n  baseline: ${baseline}`,
    );
  }
}

/** Spawns a baseline server on a loopback port and waits for its "ready" line (15 s at most). */
export async function startBaseline(script, port, env) {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL(`../baselines/${script}`, import.meta.url)), String(port)],
    {
      env: { ...process.env, DATABASE_URL: BENCH_DATABASE_URL, REDIS_URL: BENCH_REDIS_URL, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    await new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`${script} not ready within 15 s`)), 15_000);
      const onData = (chunk) => {
        output += chunk;
        if (/^ready\b/m.test(output)) {
          clearTimeout(timer);
          child.off('exit', onExit);
          resolve();
        }
      };
      const onExit = (code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited with ${code} before it was ready`));
      };
      child.stdout.on('data', onData);
      child.once('exit', onExit);
    });
  } catch (error) {
    await stop();
    throw error;
  }
  child.stdout.resume();
  return {
    base: `http://127.0.0.1:${port}`,
    pid: child.pid,
    rssMb: () => processRssMb(child.pid),
    cpuSeconds: () => processCpuSeconds(child.pid),
    stop,
  };
}

/** Removes the keys under `prefix` (caches, rate-limit counters, messages) from a Redis db. */
export async function clearPrefix(prefix, redisUrl = BENCH_REDIS_URL) {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The cells of one service-vs-baseline row, for the printed tables. */
export function comparisonCells({ service, baseline, ratio }) {
  return [
    service.rps.toFixed(0),
    service.p50,
    service.p99,
    baseline.rps.toFixed(0),
    baseline.p50,
    baseline.p99,
    ratio.toFixed(2),
    `${service.failures} / ${baseline.failures}`,
  ];
}

export const COMPARISON_HEADER =
  'service req/s | p50 | p99 | baseline req/s | p50 | p99 | ratio | failures';

/** Prints a case whose rows are one service-vs-baseline comparison per round. */
export function printComparison(result) {
  console.log(`\n${result.case} — target: ${result.target}`);
  console.log(`round | ${COMPARISON_HEADER}`);
  for (const row of result.rows) console.log([row.round, ...comparisonCells(row)].join(' | '));
  const met = result.met === null ? '' : `, target met: ${result.met ? 'yes' : 'no'}`;
  console.log(`ratio (median): ${result.ratio.toFixed(2)}${met}`);
  console.log(`service RSS after: ${result.rssMb.toFixed(0)} MB`);
}

/**
 * Runs a case when its file is run directly (`node bench/cases/<case>.mjs [seconds] [connections]
 * [rounds]`, or the numeric options `names` lists, in order; a missing argument keeps the case's
 * default), and prints its result.
 */
export async function runWhenMain(
  moduleUrl,
  run,
  print = printComparison,
  names = ['seconds', 'connections', 'rounds'],
) {
  if (moduleUrl !== `file://${process.argv[1]}`) return;
  const values = process.argv.slice(2).map(Number);
  print(await run(Object.fromEntries(names.map((name, i) => [name, values[i] || undefined]))));
}
