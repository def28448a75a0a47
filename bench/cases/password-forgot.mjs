// Case 7, password forgot: `POST /auth/password/forgot` must not tell a registered address from
// an unknown one. At a fixed request rate (a prober's, not a flood), known and unknown addresses
// alternate run by run and their median and p99 latencies are set side by side. Then the cost of
// the mail queue: fresh unknown addresses (each queues a job) against one address past its mail
// limit (the same request, nothing queued). Mails go to an outbox folder (no SMTP_URL).
// Usage: npm run build && node bench/cases/password-forgot.mjs [seconds=8] [rate=50] [rounds=2]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { assertLoopback, median } from '../lib/load.mjs';
import { freePorts } from '../lib/ports.mjs';
import { registerUser, startService } from '../lib/service.mjs';

const CONNECTIONS = 10;
const KNOWN_ADDRESSES = 20;
// Known against unknown within this, at the median and at p99, counts as "the same".
const SAME_WITHIN = 0.1;

export async function run({ seconds = 8, rate = 50, rounds = 2 } = {}) {
  const [sameWorkPort, queueCostPort] = await freePorts(2);
  const outbox = mkdtempSync(join(tmpdir(), 'tempmessenger-bench-outbox-'));
  const services = [];
  try {
    // Every request queues a job: what differs is only whether the address has an account.
    const sameWork = await startService({
      port: sameWorkPort,
      env: { MAIL_OUTBOX_DIR: outbox, MAIL_PER_EMAIL_LIMIT: '1000000', LOG_LEVEL: 'warn' },
    });
    services.push(sameWork);
    // One mail per address: a fresh address queues a job, a spent one does not.
    const queueCost = await startService({
      port: queueCostPort,
      env: { MAIL_OUTBOX_DIR: outbox, MAIL_PER_EMAIL_LIMIT: '1', LOG_LEVEL: 'warn' },
    });
    services.push(queueCost);

    const known = [];
    for (let i = 0; i < KNOWN_ADDRESSES; i++) {
      known.push((await registerUser(sameWork.base, 'forgot-known')).email);
    }
    const unknown = known.map(() => `forgot-unknown-${randomUUID()}@example.com`);
    const spent = `forgot-spent-${randomUUID()}@example.com`;
    await forgot(queueCost.base, spent);

    const probe = (base, addresses, duration) =>
      cannon({ url: `${base}/auth/password/forgot`, addresses, rate, duration });
    // Warm-up: JIT, pools, the queue's table.
    await probe(sameWork.base, known, 2);
    await probe(sameWork.base, unknown, 2);
    await probe(queueCost.base, () => fresh(), 2);

    const rows = [];
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 ? ['known', 'unknown'] : ['unknown', 'known'];
      const figures = {};
      for (const side of order) {
        figures[side] = await probe(sameWork.base, side === 'known' ? known : unknown, seconds);
      }
      const queueOrder = round % 2 ? ['queued', 'nothing'] : ['nothing', 'queued'];
      for (const side of queueOrder) {
        figures[side] = await probe(
          queueCost.base,
          side === 'queued' ? () => fresh() : [spent],
          seconds,
        );
      }
      rows.push({
        round,
        ...figures,
        knownToUnknownP50: figures.known.p50 / figures.unknown.p50,
        knownToUnknownP99: figures.known.p99 / figures.unknown.p99,
        queuedToNothingP50: figures.queued.p50 / figures.nothing.p50,
      });
    }
    const p50Ratio = median(rows.map((row) => row.knownToUnknownP50));
    const p99Ratio = median(rows.map((row) => row.knownToUnknownP99));
    const same = (ratio) => Math.abs(ratio - 1) <= SAME_WITHIN;
    return {
      case: 'password-forgot',
      target: `known/unknown latency within ${SAME_WITHIN * 100}% at p50 and p99`,
      settings: { seconds, rate, connections: CONNECTIONS, knownAddresses: KNOWN_ADDRESSES },
      rows,
      ratio: p50Ratio,
      p99Ratio,
      queueCostP50Ratio: median(rows.map((row) => row.queuedToNothingP50)),
      met: same(p50Ratio) && same(p99Ratio),
      rssMb: await sameWork.rssMb(),
    };
  } finally {
    for (const service of services) {
      await service.stop();
      rmSync(service.logDir, { recursive: true, force: true });
    }
    rmSync(outbox, { recursive: true, force: true });
  }
}

/** A fixed-rate run; `addresses` is a list taken in turn, or a function making one per request. */
async function cannon({ url, addresses, rate, duration }) {
  assertLoopback(url);
  let next = 0;
  const address =
    typeof addresses === 'function' ? addresses : () => addresses[next++ % addresses.length];
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    overallRate: rate,
    duration,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ email: address() }) }),
      },
    ],
  });
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) throw new Error(`${failures} of ${result.requests.total} requests failed`);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
  };
}

const fresh = () => `forgot-fresh-${randomUUID()}@example.com`;

async function forgot(base, email) {
  const response = await fetch(`${base}/auth/password/forgot`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  if (response.status !== 202) throw new Error(`forgot failed: ${response.status}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [seconds, rate, rounds] = process.argv.slice(2).map(Number);
  const result = await run({
    seconds: seconds || undefined,
    rate: rate || undefined,
    rounds: rounds || undefined,
  });
  console.log(JSON.stringify(result, null, 2));
}
