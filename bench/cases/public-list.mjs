// Case 3, public list: the service's GET /messages?limit=100 with 100 and with 100,000 live
// messages against plain node:http + ioredis servers making the same Redis calls (the store's LIST
// Lua script, then an MGET of bodies) and answering the same JSON
// (bench/baselines/plain-messages.mjs). Two baselines, each alternated with the service:
//   - "record": reads, parses and formats every body on every request, as the service used to;
//     issue 19's target is set against it;
//   - "same work": holds the bodies it has read and reads only the others, as the service does
//     now (src/messages/infrastructure/listed-message.cache.ts).
// Targets: at both sizes the service makes at least 0.8 of the record baseline's requests/s
// (median of the rounds; `ratio` is the lower of the two sizes), and the service's p50 with
// 100,000 live messages is within 1.5 times its p50 with 100 (medians of the rounds). The
// same-work ratio is printed beside them.
// The messages are posted through the service's own store (dist/), under a key prefix of this
// run's own, removed at the end.
// Usage: npm run build && node bench/cases/public-list.mjs [seconds=8] [connections=50] [rounds=2]
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import {
  COMPARISON_HEADER,
  alternate,
  clearPrefix,
  comparisonCells,
  expectSameAnswer,
  runWhenMain,
  startBaseline,
} from '../lib/baseline.mjs';
import { load, median } from '../lib/load.mjs';
import { BENCH_REDIS_URL, startService } from '../lib/service.mjs';

const NAME = 'public-list';
const SERVICE_PORT = 3914;
const BASELINE_PORT = 3915;
const SAME_WORK_BASELINE_PORT = 3916;
const WARM_UP_SECONDS = 3;
const SIZES = [100, 100_000];
const TARGET = 0.8;
const P50_TARGET = 1.5;

export async function run({ seconds = 8, connections = 50, rounds = 2 } = {}) {
  const prefix = `tm-bench-list-${process.pid}:`;
  const env = { REDIS_KEY_PREFIX: prefix };
  await clearPrefix(prefix);
  const service = await startService({ port: SERVICE_PORT, env });
  let baseline;
  let sameWorkBaseline;
  try {
    baseline = await startBaseline('plain-messages.mjs', BASELINE_PORT, env);
    sameWorkBaseline = await startBaseline('plain-messages.mjs', SAME_WORK_BASELINE_PORT, {
      ...env,
      BASELINE_BODIES: 'held',
    });
    const serviceUrl = `${service.base}/messages?limit=100`;
    const urls = { service: serviceUrl, baseline: `${baseline.base}/messages?limit=100` };
    const sameWorkUrls = {
      service: serviceUrl,
      baseline: `${sameWorkBaseline.base}/messages?limit=100`,
    };
    const rows = [];
    const sameWorkRows = [];
    let live = 0;
    for (const size of SIZES) {
      await fill(prefix, size - live);
      live = size;
      await expectSameAnswer({ urls, normalize: withoutTimeLeft });
      await expectSameAnswer({ urls: sameWorkUrls, normalize: withoutTimeLeft });
      for (const url of [serviceUrl, urls.baseline, sameWorkUrls.baseline]) {
        await load({ url, connections, duration: WARM_UP_SECONDS });
      }
      for (const row of await alternate({ urls, connections, seconds, rounds })) {
        rows.push({ size, ...row });
      }
      for (const row of await alternate({ urls: sameWorkUrls, connections, seconds, rounds })) {
        sameWorkRows.push({ size, ...row });
      }
    }
    const ratioBySize = medianRatioBySize(rows);
    const sameWorkRatioBySize = medianRatioBySize(sameWorkRows);
    const p50 = (size) =>
      median(rows.filter((row) => row.size === size).map((row) => row.service.p50));
    // autocannon's latencies are whole milliseconds: a p50 of 0 counts as 1.
    const p50Ratio = p50(SIZES[1]) / Math.max(1, p50(SIZES[0]));
    const ratio = Math.min(...Object.values(ratioBySize));
    const metRps = ratio >= TARGET && rows.every((row) => row.service.failures === 0);
    const metP50 = p50Ratio <= P50_TARGET;
    return {
      case: NAME,
      target:
        `service req/s ≥ ${TARGET} × baseline (plain node:http + ioredis, same Lua script, ` +
        `every body read and formatted) ` +
        `at 100 and at 100,000 live messages; p50 at 100,000 ≤ ${P50_TARGET} × p50 at 100`,
      rows,
      ratio,
      ratioBySize,
      sameWorkRows,
      sameWorkRatio: Math.min(...Object.values(sameWorkRatioBySize)),
      sameWorkRatioBySize,
      p50Ratio,
      metRps,
      metP50,
      met: metRps && metP50,
      rssMb: await service.rssMb(),
    };
  } finally {
    await baseline?.stop();
    await sameWorkBaseline?.stop();
    await service.stop();
    await clearPrefix(prefix);
  }
}

function medianRatioBySize(rows) {
  return Object.fromEntries(
    SIZES.map((size) => [
      size,
      median(rows.filter((row) => row.size === size).map((row) => row.ratio)),
    ]),
  );
}

/** `expiresInMs` moves between two calls; everything else must match. */
function withoutTimeLeft(body) {
  return { ...body, items: body.items?.map(({ expiresInMs: _, ...item }) => item) };
}

/** Posts through the service's own store (dist), so the data has exactly the service's layout. */
async function fill(prefix, count) {
  const { RedisMessageStore } =
    await import('../../dist/src/messages/infrastructure/redis-message.store.js');
  const redis = new Redis(BENCH_REDIS_URL, { keyPrefix: prefix });
  const store = new RedisMessageStore(redis);
  const author = { id: randomUUID(), email: 'public-list-bench@example.com' };
  try {
    for (let done = 0; done < count;) {
      const batch = Math.min(1000, count - done);
      await Promise.all(
        Array.from({ length: batch }, (_, i) =>
          store.post({
            id: randomUUID(),
            text: `benchmark message ${done + i}`,
            authorId: author.id,
            authorEmail: author.email,
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

function print(result) {
  console.log(`\n${result.case} — target: ${result.target}`);
  printRows(result.rows);
  console.log(
    `ratio (median per size): ${bySize(result.ratioBySize)}; target met: ${result.metRps ? 'yes' : 'no'}`,
  );
  console.log(`against the same-work baseline (bodies held, as the service holds them):`);
  printRows(result.sameWorkRows);
  console.log(`same-work ratio (median per size): ${bySize(result.sameWorkRatioBySize)}`);
  console.log(
    `service p50 100,000 / 100: ${result.p50Ratio.toFixed(2)}; target met: ${result.metP50 ? 'yes' : 'no'}`,
  );
  console.log(`service RSS after: ${result.rssMb.toFixed(0)} MB`);
}

function printRows(rows) {
  console.log(`live messages | round | ${COMPARISON_HEADER}`);
  for (const row of rows) {
    console.log([row.size.toLocaleString('en'), row.round, ...comparisonCells(row)].join(' | '));
  }
}

function bySize(ratios) {
  return Object.entries(ratios)
    .map(([size, ratio]) => `${Number(size).toLocaleString('en')}: ${ratio.toFixed(2)}`)
    .join(', ');
}

await runWhenMain(import.meta.url, run, print);
