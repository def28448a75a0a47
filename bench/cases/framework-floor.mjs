// Case 1, framework floor: the service's GET /health (PostgreSQL `SELECT 1` and Redis PING behind
// Nest, Express, helmet, pino-http and terminus) against a plain node:http server doing the same
// two checks (bench/baselines/plain-health.mjs). No target: the ratio is what the stack costs.
// Usage: npm run build && node bench/cases/framework-floor.mjs [seconds=8] [connections=50] [rounds=2]
import { spawn } from 'node:child_process';
import { clearTimeout } from 'node:timers';
import { URL, fileURLToPath } from 'node:url';
import { load, median } from '../lib/load.mjs';
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, startService } from '../lib/service.mjs';

const NAME = 'framework-floor';
const SERVICE_PORT = 3910;
const BASELINE_PORT = 3911;
const WARM_UP_SECONDS = 3;

export async function run({ seconds = 8, connections = 50, rounds = 2 } = {}) {
  const env = { REDIS_KEY_PREFIX: 'tm-bench-floor:' };
  const service = await startService({ port: SERVICE_PORT, env });
  let baseline;
  try {
    baseline = await startBaseline('plain-health.mjs', BASELINE_PORT, env);
    const urls = { service: `${service.base}/health`, baseline: `${baseline.base}/health` };
    await expectSameAnswer({ urls });
    for (const url of Object.values(urls)) {
      await load({ url, connections, duration: WARM_UP_SECONDS });
    }
    const rows = await alternate({ urls, connections, seconds, rounds });
    return {
      case: NAME,
      target: 'none: service req/s over plain node:http req/s, reported',
      rows,
      ratio: median(rows.map((row) => row.ratio)),
      met: null,
      rssMb: await service.rssMb(),
    };
  } finally {
    await baseline?.stop();
    await service.stop();
  }
}

/** Each round runs both sides, the first side swapping every round so drift favours neither. */
async function alternate({ urls, headers, connections, seconds, rounds }) {
  const rows = [];
  for (let round = 1; round <= rounds; round++) {
    const figures = {};
    for (const side of round % 2 ? ['service', 'baseline'] : ['baseline', 'service']) {
      const { rps, p50, p99, failures } = await load({
        url: urls[side],
        headers,
        connections,
        duration: seconds,
      });
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
async function expectSameAnswer({ urls, headers, normalize = (body) => body }) {
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
async function startBaseline(script, port, env) {
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
  return { base: `http://127.0.0.1:${port}`, pid: child.pid, stop };
}

function print(result) {
  console.log(`\n${result.case} — target: ${result.target}`);
  console.log('round | service req/s | p50 | p99 | baseline req/s | p50 | p99 | ratio | failures');
  for (const { round, service, baseline, ratio } of result.rows) {
    console.log(
      [
        round,
        service.rps.toFixed(0),
        service.p50,
        service.p99,
        baseline.rps.toFixed(0),
        baseline.p50,
        baseline.p99,
        ratio.toFixed(2),
        `${service.failures} / ${baseline.failures}`,
      ].join(' | '),
    );
  }
  const met = result.met === null ? '' : `, target met: ${result.met ? 'yes' : 'no'}`;
  console.log(`ratio (median): ${result.ratio.toFixed(2)}${met}`);
  console.log(`service RSS after: ${result.rssMb.toFixed(0)} MB`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [seconds = 8, connections = 50, rounds = 2] = process.argv.slice(2).map(Number);
  print(await run({ seconds, connections, rounds }));
}
