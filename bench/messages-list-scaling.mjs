// GET /messages?limit=100 with 100 live messages and with 100,000 live messages, same service,
// same run, each case run twice. The listing must cost the same however many messages are live.
// Usage: npm run build && node bench/messages-list-scaling.mjs [seconds per run] [connections]
import Redis from 'ioredis';
import { load, median } from './lib/load.mjs';
import { BENCH_REDIS_URL, registerUser, startService } from './lib/service.mjs';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 20);
const PREFIX = 'tm-bench-messages:';

/** Posts through the service's own store (dist), so the data has exactly the service's layout. */
async function fill(count, author) {
  const { RedisMessageStore } =
    await import('../dist/src/messages/infrastructure/redis-message.store.js');
  const redis = new Redis(BENCH_REDIS_URL, { keyPrefix: PREFIX });
  const store = new RedisMessageStore(redis);
  const { randomUUID } = await import('node:crypto');
  try {
    for (let done = 0; done < count;) {
      const batch = Math.min(1000, count - done);
      await Promise.all(
        Array.from({ length: batch }, (_, i) =>
          store.post({
            id: randomUUID(),
            text: `benchmark message ${done + i}`,
            authorId: author.user.id,
            authorEmail: author.user.email,
            ttlSeconds: 3600,
          }),
        ),
      );
      done += batch;
    }
  } finally {
    redis.disconnect();
  }
}

async function clear() {
  const redis = new Redis(BENCH_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

const service = await startService({ port: 3902, env: { REDIS_KEY_PREFIX: PREFIX } });
const url = `${service.base}/messages?limit=100`;
const results = { small: [], large: [] };
try {
  await clear();
  const author = await registerUser(service.base, 'messages-bench');
  await fill(100, author);
  await load({ url, connections, duration: 3 });
  for (let round = 1; round <= 2; round++)
    results.small.push(await load({ url, connections, duration: seconds }));

  await fill(100_000 - 100, author);
  await load({ url, connections, duration: 3 });
  for (let round = 1; round <= 2; round++)
    results.large.push(await load({ url, connections, duration: seconds }));

  console.log(`\nGET /messages?limit=100 — ${connections} connections, ${seconds} s per run`);
  console.log('live messages | run | req/s | p50 ms | p99 ms | failures');
  for (const [label, runs] of [
    ['100', results.small],
    ['100,000', results.large],
  ]) {
    runs.forEach((run, i) =>
      console.log([label, i + 1, run.rps.toFixed(0), run.p50, run.p99, run.failures].join(' | ')),
    );
  }
  const p50Small = median(results.small.map((run) => run.p50));
  const p50Large = median(results.large.map((run) => run.p50));
  console.log(`p50 ratio 100,000 / 100: ${(p50Large / p50Small).toFixed(2)} (target ≤ 1.5)`);
  console.log(`RSS after: ${(await service.rssMb()).toFixed(0)} MB`);
} finally {
  await service.stop();
  await clear();
}
