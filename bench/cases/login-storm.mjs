// Case 4, login storm: POST /auth/login with valid credentials at the configured bcrypt cost,
// against the ceiling measured in the same run: bcrypt.compare throughput in a separate Node
// process, same cost, same number of comparisons in flight, same UV_THREADPOOL_SIZE (bcrypt's
// async API runs on libuv's thread pool; the default is 4 threads, on a 2-core machine). During
// the storm a second, rate-limited autocannon reads GET /messages?limit=100, whose p99 is
// compared with the same read measured idle just before.
// Usage: npm run build && node bench/cases/login-storm.mjs [seconds=8] [connections=50] [rounds=2]
import { spawn } from 'node:child_process';
import { clearTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import { median } from '../lib/load.mjs';
import { freePorts } from '../lib/ports.mjs';
import { BENCH_REDIS_URL, registerUser, startService } from '../lib/service.mjs';
import { runWhenMain } from '../lib/baseline.mjs';

const TARGET_RATIO = 0.8;
const BCRYPT_COST = Number(process.env.BCRYPT_COST ?? 12);
// The service and the ceiling process get the same thread pool, stated explicitly.
const THREADPOOL_SIZE = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
const REDIS_PREFIX = 'tm-bench-login:';
const USERS = 4;
const LISTED_MESSAGES = 100;
// The side load on GET /messages: a few connections at a fixed, low request rate.
const READ_CONNECTIONS = 5;
const READ_RATE = 50;

export async function run({ seconds = 8, connections = 50, rounds = 2 } = {}) {
  const [port] = await freePorts(1);
  let service;
  try {
    await clearRedis();
    service = await startService({
      port,
      env: {
        BCRYPT_COST: String(BCRYPT_COST),
        UV_THREADPOOL_SIZE: String(THREADPOOL_SIZE),
        REDIS_KEY_PREFIX: REDIS_PREFIX,
      },
    });
    const users = [];
    for (let i = 0; i < USERS; i++) users.push(await registerUser(service.base, 'login-storm'));
    await postMessages(service.base, users[0].accessToken, LISTED_MESSAGES);

    const loginRequests = users.map(({ email, password }) => ({
      method: 'POST',
      path: '/auth/login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    }));
    const storm = (duration) =>
      cannon({
        url: service.base,
        requests: loginRequests,
        connections,
        duration,
        // Logins queue behind bcrypt: at ~10/s, 50 connections wait ~5 s each.
        timeout: Math.max(30, duration * 2),
      });
    const reads = (duration) =>
      cannon({
        url: `${service.base}/messages?limit=100`,
        connections: READ_CONNECTIONS,
        overallRate: READ_RATE,
        duration,
      });

    // autocannon drops its in-flight logins when a run ends, but the service still works
    // through them (its thread pool queue): one more login, queued behind them, waits them out.
    const drain = () => login(service.base, users[0]);

    // Warm-up: JIT, pools, the login path and the list.
    await reads(2);
    await storm(2);
    await drain();

    const rows = [];
    for (let round = 1; round <= rounds; round++) {
      const messagesIdle = await reads(seconds);
      // The ceiling is measured just before and just after the storm, and averaged, so drift
      // on a shared machine does not favour either side.
      const ceilingBefore = await bcryptCeiling({ seconds, concurrency: connections });
      const [logins, messagesStorm] = await Promise.all([storm(seconds), reads(seconds)]);
      await drain();
      const ceilingAfter = await bcryptCeiling({ seconds, concurrency: connections });
      const ceiling = (ceilingBefore + ceilingAfter) / 2;
      rows.push({
        round,
        logins: pick(logins),
        ceiling,
        ceilingBefore,
        ceilingAfter,
        ratio: logins.rps / ceiling,
        messagesIdleP99: messagesIdle.p99,
        messagesStormP99: messagesStorm.p99,
        messagesStorm: pick(messagesStorm),
      });
    }
    const ratio = median(rows.map((row) => row.ratio));
    const messagesServed = rows.every(
      (row) => row.messagesStorm.requests > 0 && row.messagesStorm.failures === 0,
    );
    return {
      case: 'login-storm',
      target: `≥ ${TARGET_RATIO} of the bcrypt ceiling`,
      settings: {
        seconds,
        connections,
        bcryptCost: BCRYPT_COST,
        uvThreadpoolSize: THREADPOOL_SIZE,
        users: USERS,
        messagesRead: `${READ_CONNECTIONS} connections at ${READ_RATE} req/s`,
      },
      rows,
      ratio,
      messagesServed,
      met: ratio >= TARGET_RATIO && messagesServed,
      rssMb: await service.rssMb(),
    };
  } finally {
    if (service) {
      await service.stop();
    }
    await clearRedis();
  }
}

/** bcrypt.compare completions per second in a child process: `concurrency` comparisons in flight. */
async function bcryptCeiling({ seconds, concurrency }) {
  const child = spawn(
    process.execPath,
    [
      fileURLToPath(import.meta.url),
      '--bcrypt-ceiling',
      JSON.stringify({ cost: BCRYPT_COST, seconds, concurrency }),
    ],
    {
      env: { ...process.env, UV_THREADPOOL_SIZE: String(THREADPOOL_SIZE) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
  try {
    const code = await exited;
    if (code !== 0) throw new Error(`bcrypt ceiling process exited with ${code}`);
    return JSON.parse(output).comparesPerSecond;
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Runs in the child process: the comparisons, nothing else. */
async function measureBcrypt({ cost, seconds, concurrency }) {
  const { default: bcrypt } = await import('bcrypt');
  const password = 'bench-password';
  const hash = await bcrypt.hash(password, cost);
  await bcrypt.compare(password, hash);
  const end = Date.now() + seconds * 1000;
  let completed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        if (!(await bcrypt.compare(password, hash))) throw new Error('compare failed');
        // Like autocannon, count only what finished inside the window.
        if (Date.now() <= end) completed++;
      }
    }),
  );
  return { comparesPerSecond: completed / seconds, completed };
}

/** One bounded autocannon run against a loopback address (more options than lib/load.mjs). */
async function cannon(options) {
  if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(options.url)) {
    throw new Error(`refusing to send load to a non-loopback address: ${options.url}`);
  }
  const result = await autocannon(options);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

const pick = ({ rps, p50, p99, requests, failures }) => ({ rps, p50, p99, requests, failures });

async function login(base, { email, password }) {
  const response = await fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status}`);
}

async function postMessages(base, accessToken, count) {
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${base}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ message: `login storm message ${i}`, ttlSeconds: 3600 }),
    });
    if (response.status !== 201) throw new Error(`posting a message failed: ${response.status}`);
  }
}

/** Removes this case's keys (its messages and rate-limit counters) from the bench Redis db. */
async function clearRedis() {
  const redis = new Redis(BENCH_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export function print(result) {
  const { settings: s } = result;
  console.log(
    `\nLogin storm — bcrypt cost ${s.bcryptCost}, UV_THREADPOOL_SIZE=${s.uvThreadpoolSize} ` +
      `(service and ceiling), ${s.connections} connections, ${s.seconds} s per run; ` +
      `GET /messages?limit=100 at ${s.messagesRead}`,
  );
  console.log(
    'round | logins/s | p50 ms | p99 ms | failures | ceiling compares/s (before, after) | ' +
      'ratio | ' +
      'messages p99 idle | p99 storm | storm failures',
  );
  for (const row of result.rows) {
    console.log(
      [
        row.round,
        row.logins.rps.toFixed(1),
        row.logins.p50,
        row.logins.p99,
        row.logins.failures,
        `${row.ceiling.toFixed(1)} (${row.ceilingBefore.toFixed(1)}, ${row.ceilingAfter.toFixed(1)})`,
        row.ratio.toFixed(2),
        row.messagesIdleP99,
        row.messagesStormP99,
        row.messagesStorm.failures,
      ].join(' | '),
    );
  }
  console.log(
    `ratio (median): ${result.ratio.toFixed(2)} (target ${result.target}); GET /messages served ` +
      `during the storm: ${result.messagesServed}; met: ${result.met}; ` +
      `RSS after: ${result.rssMb.toFixed(0)} MB`,
  );
}

// Also run as a child process by `run`, to measure the bcrypt ceiling away from the service.
if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === '--bcrypt-ceiling') {
  process.stdout.write(JSON.stringify(await measureBcrypt(JSON.parse(process.argv[3]))));
} else {
  await runWhenMain(import.meta.url, run, print);
}
