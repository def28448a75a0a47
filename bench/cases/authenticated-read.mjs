// Case 2, authenticated read: the service's GET /users/me with a valid access token (HS256 check,
// revocation check — one Redis MGET while the auth-state cache is warm —, user row) against a
// plain node:http server doing the same work by hand (bench/baselines/plain-users-me.mjs), with
// the same JWT secret, issuer, audience and Redis key prefix, so one token works on both.
// Target: the service makes at least 0.6 of the baseline's requests/s (median of the rounds).
// Usage: npm run build && node bench/cases/authenticated-read.mjs [seconds=8] [connections=50] [rounds=2]
import { spawn } from 'node:child_process';
import { clearTimeout } from 'node:timers';
import { URL, fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { load, median } from '../lib/load.mjs';
import {
  BENCH_DATABASE_URL,
  BENCH_REDIS_URL,
  registerUser,
  startService,
} from '../lib/service.mjs';

const NAME = 'authenticated-read';
const SERVICE_PORT = 3912;
const BASELINE_PORT = 3913;
const WARM_UP_SECONDS = 3;
const TARGET = 0.6;

export async function run({ seconds = 8, connections = 50, rounds = 2 } = {}) {
  const prefix = `tm-bench-auth-${process.pid}:`;
  // Both servers get these: the token the service issues must verify on the baseline.
  const env = {
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: 'authenticated-read-benchmark-secret-authenticated-read',
    JWT_ISSUER: 'tempmessenger-bench',
    JWT_AUDIENCE: 'tempmessenger-bench',
    // Longer than any bounded run, so the token never expires under load.
    ACCESS_TOKEN_TTL: '2h',
  };
  const service = await startService({ port: SERVICE_PORT, env });
  let baseline;
  let user;
  try {
    baseline = await startBaseline('plain-users-me.mjs', BASELINE_PORT, env);
    user = await registerUser(service.base, 'authenticated-read');
    const headers = { authorization: `Bearer ${user.accessToken}` };
    const urls = { service: `${service.base}/users/me`, baseline: `${baseline.base}/users/me` };
    await expectSameAnswer({ urls, headers });
    // Warm-up: JIT, connection pools, and the auth-state cache both of them read.
    for (const url of Object.values(urls)) {
      await load({ url, headers, connections, duration: WARM_UP_SECONDS });
    }
    const rows = await alternate({ urls, headers, connections, seconds, rounds });
    const ratio = median(rows.map((row) => row.ratio));
    return {
      case: NAME,
      target: `service req/s ≥ ${TARGET} × baseline (plain node:http doing the same work by hand)`,
      rows,
      ratio,
      met: ratio >= TARGET && rows.every((row) => row.service.failures === 0),
      rssMb: await service.rssMb(),
    };
  } finally {
    await baseline?.stop();
    if (user) await deleteUser(service.base, user);
    await service.stop();
    await clearPrefix(prefix);
  }
}

/** Leaves no benchmark account behind (its sessions go with it). */
async function deleteUser(base, user) {
  const response = await fetch(`${base}/users/me`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ password: user.password }),
  }).catch((error) => ({ status: error.message }));
  if (response.status !== 204)
    console.warn(`could not delete the benchmark user: ${response.status}`);
}

/** Removes this run's keys (auth-state cache, rate-limit counters) from the benchmark Redis db. */
async function clearPrefix(prefix) {
  const redis = new Redis(BENCH_REDIS_URL);
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
