// Case 5, prune: 1,000,000 expired blacklist rows plus 100,000 live ones; the service's own
// prune job (its cron, in the service process, as in production) removes exactly the expired
// ones while autocannon reads GET /users/me. Reported: the job's time (its own log line), and
// the p99 of GET /users/me during the job against idle, on the same service, each round.
//
// How the job is triggered: the service runs with BLACKLIST_PRUNE_CRON every second, and the
// bench holds the job's PostgreSQL advisory lock (the same one the job takes, so the service
// skips its ticks) while it inserts the rows and measures idle; releasing the lock lets the next
// tick, within a second, do the whole prune.
// Usage: npm run build && node bench/cases/prune.mjs [seconds=8] [connections=50] [rounds=2]
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import pg from 'pg';
import { median } from '../lib/load.mjs';
import { freePorts } from '../lib/ports.mjs';
import { BENCH_DATABASE_URL, registerUser, startService } from '../lib/service.mjs';
import { runWhenMain } from '../lib/baseline.mjs';

const TARGET_RATIO = 2;
const EXPIRED = 1_000_000;
const LIVE = 100_000;
const PRUNE_TIMEOUT_SECONDS = 180;
// The name PruneService gives its lock, hashed as PostgresAdvisoryLock does.
const PRUNE_LOCK_KEY = createHash('sha256')
  .update('tempmessenger:prune-expired-auth-records')
  .digest()
  .readBigInt64BE(0)
  .toString();

export async function run({ seconds = 8, connections = 50, rounds = 2 } = {}) {
  const [port] = await freePorts(1);
  const db = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  const lock = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  let service;
  let userId;
  try {
    await db.connect();
    await lock.connect();
    await holdPruneLock(lock);
    service = await startService({ port, env: { BLACKLIST_PRUNE_CRON: '* * * * * *' } });
    const user = await registerUser(service.base, 'prune');
    userId = user.user.id;
    const url = `${service.base}/users/me`;
    const headers = { authorization: `Bearer ${user.accessToken}` };
    const log = tailLog(service.logDir);

    // Warm-up: JIT, pools, the auth-state cache.
    await measure({ url, headers, connections, duration: 3 }).done;

    const rows = [];
    for (let round = 1; round <= rounds; round++) {
      await holdPruneLock(lock);
      await db.query('DELETE FROM blacklist_tokens WHERE user_id = $1', [userId]);
      // Expired rows of other users (none, unless another bench left some) go too.
      const othersExpired = Number(
        (
          await db.query(
            'SELECT count(*) FROM blacklist_tokens WHERE user_id <> $1 AND expires_at < now()',
            [userId],
          )
        ).rows[0].count,
      );
      const insertStarted = Date.now();
      await insertRows(db, userId);
      const insertSeconds = (Date.now() - insertStarted) / 1000;
      const before = await countRows(db, userId);
      if (before.expired !== EXPIRED || before.live !== LIVE)
        throw new Error(`inserted ${JSON.stringify(before)}, expected ${EXPIRED} + ${LIVE}`);

      const idle = (await measure({ url, headers, connections, duration: seconds }).done).all();
      if ((await countRows(db, userId)).expired !== EXPIRED)
        throw new Error('the prune ran before the bench released its lock');

      // Load first, then release the lock; the job's own log line bounds the window measured.
      log.skipToEnd();
      const during = measure({ url, headers, connections, duration: PRUNE_TIMEOUT_SECONDS });
      await sleep(500);
      await lock.query('SELECT pg_advisory_unlock($1)', [PRUNE_LOCK_KEY]);
      let completed;
      try {
        completed = await log.waitFor(
          (line) => line.event === 'prune.completed',
          PRUNE_TIMEOUT_SECONDS * 1000,
        );
      } finally {
        during.stop();
      }
      const end = Date.parse(completed.time);
      const window = (await during.done).between(end - completed.durationMs, end);
      const after = await countRows(db, userId);
      const deleted = completed.blacklistDeleted;
      rows.push({
        round,
        insertSeconds,
        pruneSeconds: completed.durationMs / 1000,
        deleted,
        expiredRemaining: after.expired,
        liveRemaining: after.live,
        exact: deleted === EXPIRED + othersExpired && after.expired === 0 && after.live === LIVE,
        idle,
        during: window,
        ratio: window.p99 / idle.p99,
      });
    }
    const ratio = median(rows.map((row) => row.ratio));
    const exact = rows.every((row) => row.exact);
    return {
      case: 'prune',
      target: `p99 during ≤ ${TARGET_RATIO} × idle`,
      settings: {
        seconds,
        connections,
        expired: EXPIRED,
        live: LIVE,
        trigger: 'service cron (every second) released by the bench',
      },
      rows,
      ratio,
      exact,
      met: ratio <= TARGET_RATIO && exact,
      rssMb: await service.rssMb(),
    };
  } finally {
    if (service) {
      await service.stop();
    }
    await lock.end().catch(() => {});
    // The user's rows (sessions, blacklist entries) go with it.
    if (userId)
      await db
        .query('DELETE FROM users WHERE id = $1', [userId])
        .catch((error) => console.error(`prune bench: cleanup failed: ${error.message}`));
    await db.end().catch(() => {});
  }
}

/** Takes the prune job's advisory lock on this connection (waits while a tick holds it). */
async function holdPruneLock(client) {
  const { rows } = await client.query(
    `SELECT count(*) AS held FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()`,
  );
  if (Number(rows[0].held) > 0) return;
  for (let attempt = 0; attempt < 100; attempt++) {
    const result = await client.query('SELECT pg_try_advisory_lock($1) AS locked', [
      PRUNE_LOCK_KEY,
    ]);
    if (result.rows[0].locked) return;
    await sleep(200);
  }
  throw new Error('could not take the prune lock within 20 s');
}

/** One statement each; then VACUUM ANALYZE, as autovacuum would do to a table this size. */
async function insertRows(db, userId) {
  await db.query(
    `INSERT INTO blacklist_tokens (jti, user_id, expires_at, created_at)
     SELECT gen_random_uuid(), $1, t.expires_at, t.expires_at - interval '15 minutes'
       FROM (SELECT now() - interval '1 minute' - (g % 86400) * interval '1 second' AS expires_at
               FROM generate_series(1, $2::int) AS g) AS t`,
    [userId, EXPIRED],
  );
  await db.query(
    `INSERT INTO blacklist_tokens (jti, user_id, expires_at, created_at)
     SELECT gen_random_uuid(), $1, t.expires_at, t.expires_at - interval '15 minutes'
       FROM (SELECT now() + interval '1 hour' + (g % 900) * interval '1 second' AS expires_at
               FROM generate_series(1, $2::int) AS g) AS t`,
    [userId, LIVE],
  );
  await db.query('VACUUM (ANALYZE) blacklist_tokens');
}

async function countRows(db, userId) {
  const { rows } = await db.query(
    `SELECT count(*) FILTER (WHERE expires_at < now()) AS expired,
            count(*) FILTER (WHERE expires_at >= now()) AS live
       FROM blacklist_tokens WHERE user_id = $1`,
    [userId],
  );
  return { expired: Number(rows[0].expired), live: Number(rows[0].live) };
}

/**
 * An autocannon run that keeps every response's completion time and latency, so that the
 * figures of any time window can be computed (for the prune: exactly while the job ran).
 */
function measure({ url, headers, connections, duration }) {
  if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(url)) {
    throw new Error(`refusing to send load to a non-loopback address: ${url}`);
  }
  const samples = [];
  const instance = autocannon({ url, headers, connections, duration });
  instance.on('response', (_client, statusCode, _bytes, latency) =>
    samples.push({ at: Date.now(), latency, ok: statusCode >= 200 && statusCode < 300 }),
  );
  const started = Date.now();
  const done = Promise.resolve(instance).then((result) => {
    const errors = result.errors + result.timeouts;
    const figures = (from, to) => {
      const inside = samples.filter((sample) => sample.at >= from && sample.at <= to);
      const latencies = inside.map((sample) => sample.latency).sort((a, b) => a - b);
      const at = (q) => latencies[Math.max(0, Math.ceil(q * latencies.length) - 1)] ?? NaN;
      return {
        rps: inside.length / ((to - from) / 1000),
        p50: round(at(0.5)),
        p99: round(at(0.99)),
        requests: inside.length,
        failures: inside.filter((sample) => !sample.ok).length + errors,
        seconds: round((to - from) / 1000),
      };
    };
    const finished = samples.length ? samples[samples.length - 1].at : Date.now();
    return { all: () => figures(started, finished), between: figures };
  });
  return { stop: () => instance.stop(), done };
}

const round = (value) => Math.round(value * 100) / 100;

/** Follows the service's JSON log (pino-roll: `current.log` links to the live file). */
function tailLog(dir) {
  const link = join(dir, 'current.log');
  let file;
  let offset = 0;
  let partial = '';
  const read = () => {
    const lines = [];
    let target;
    try {
      target = realpathSync(link);
    } catch {
      return lines; // nothing logged yet
    }
    const files = target === file ? [file] : [file, target].filter(Boolean);
    for (const name of files) {
      if (name !== file) {
        file = name;
        offset = 0;
        partial = '';
      }
      const size = statSync(name).size;
      if (size <= offset) continue;
      const buffer = Buffer.alloc(size - offset);
      const fd = openSync(name, 'r');
      try {
        readSync(fd, buffer, 0, buffer.length, offset);
      } finally {
        closeSync(fd);
      }
      offset = size;
      const text = partial + buffer.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop();
      for (const part of parts) {
        try {
          lines.push(JSON.parse(part));
        } catch {
          // not a JSON line
        }
      }
    }
    return lines;
  };
  return {
    skipToEnd: () => void read(),
    async waitFor(match, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = read().find(match);
        if (found) return found;
        await sleep(250);
      }
      throw new Error(`no matching log line within ${timeoutMs / 1000} s`);
    },
  };
}

export function print(result) {
  console.log(
    `\nPrune — ${EXPIRED.toLocaleString('en')} expired + ${LIVE.toLocaleString('en')} live ` +
      `blacklist rows, GET /users/me at ${result.settings.connections} connections ` +
      `(idle run ${result.settings.seconds} s; during = exactly while the job ran)`,
  );
  console.log(
    'round | prune s | deleted | expired left | live left | exact | idle req/s | p50 | p99 | ' +
      'during req/s | p50 | p99 | ratio | failures',
  );
  for (const row of result.rows) {
    console.log(
      [
        row.round,
        row.pruneSeconds.toFixed(1),
        row.deleted,
        row.expiredRemaining,
        row.liveRemaining,
        row.exact,
        row.idle.rps.toFixed(0),
        row.idle.p50,
        row.idle.p99,
        row.during.rps.toFixed(0),
        row.during.p50,
        row.during.p99,
        row.ratio.toFixed(2),
        row.idle.failures + row.during.failures,
      ].join(' | '),
    );
  }
  console.log(
    `p99 ratio (median): ${result.ratio.toFixed(2)} (target ${result.target}); exact: ` +
      `${result.exact}; met: ${result.met}; RSS after: ${result.rssMb.toFixed(0)} MB`,
  );
}

await runWhenMain(import.meta.url, run, print);
