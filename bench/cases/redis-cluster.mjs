// Case 10, a Redis Cluster against one Redis: two instances of this build side by side, one on the
// benchmark Redis (one server, as every other case) and one on a Redis Cluster of six nodes (three
// masters, three replicas) that the case starts on free loopback ports (test/support/
// redis-cluster.ts, the tests' own harness) and stops by PID at the end.
// Requests, in short slices alternating between the two (this machine's speed drifts; see case 9):
// - the authenticated read, case 2's GET /users/me (on a cluster: the MGET goes to the user's slot);
// - the public list, GET /messages?limit=100 with 100 live messages (the board's slot);
// - a post and its fan-out: POST /messages while STREAMS live streams are open on the instance,
//   each receiving every event (a sharded channel on the cluster, classic pub/sub on one server).
// Target: on the cluster, at least 0.85 of one server's requests/s in each (median of the slices).
// Usage: npm run build && node bench/cases/redis-cluster.mjs [seconds=2] [connections=50] [rounds=8]
import { clearPrefix, runWhenMain } from '../lib/baseline.mjs';
import { load, median } from '../lib/load.mjs';
import { freePorts } from '../lib/ports.mjs';
import { clusterEnv, registerUser, startService } from '../lib/service.mjs';
import { startRedisCluster } from '../../test/support/redis-cluster.ts';

const TARGET = 0.85;
const STREAMS = 20;
const LISTED_MESSAGES = 100;
const WARM_UP_SECONDS = 2;

export async function run({ seconds = 2, connections = 50, rounds = 8 } = {}) {
  const prefix = `tm-bench-cluster-${process.pid}:`;
  await clearPrefix(prefix);
  const cluster = await startRedisCluster();
  const services = {};
  const streams = [];
  try {
    const [singlePort, clusterPort] = await freePorts(2);
    const env = { REDIS_KEY_PREFIX: prefix, ACCESS_TOKEN_TTL: '2h' };
    services.single = await startService({ port: singlePort, env });
    services.cluster = await startService({
      port: clusterPort,
      env: { ...env, ...clusterEnv(cluster) },
    });
    const names = Object.keys(services);
    // One account in the shared database; each instance has its own Redis for the messages.
    const user = await registerUser(services.single.base, 'cluster');
    const auth = { authorization: `Bearer ${user.accessToken}` };
    for (const name of names) {
      for (let i = 0; i < LISTED_MESSAGES; i++) await post(services[name].base, auth);
      for (let i = 0; i < STREAMS; i++) streams.push(await openStream(name, services[name].base));
    }

    const requests = {
      read: (name) => ({ url: `${services[name].base}/users/me`, headers: auth }),
      list: (name) => ({ url: `${services[name].base}/messages?limit=100` }),
      post: (name) => ({
        url: `${services[name].base}/messages`,
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'fan me out', ttlSeconds: 60 }),
      }),
    };
    for (const name of names) {
      for (const request of Object.values(requests)) {
        await load({ ...request(name), connections, duration: WARM_UP_SECONDS });
      }
    }
    const rows = [];
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 ? names : [...names].reverse();
      for (const [kind, request] of Object.entries(requests)) {
        const figures = {};
        for (const name of order) {
          figures[name] = await load({ ...request(name), connections, duration: seconds });
        }
        rows.push({
          round,
          kind,
          single: Math.round(figures.single.rps),
          cluster: Math.round(figures.cluster.rps),
          ratio: figures.cluster.rps / figures.single.rps,
          failures: figures.single.failures + figures.cluster.failures,
        });
      }
    }
    const ratios = Object.fromEntries(
      Object.keys(requests).map((kind) => [
        kind,
        median(rows.filter((row) => row.kind === kind).map((row) => row.ratio)),
      ]),
    );
    // Every stream got the events of its instance's posts: the fan-out was part of the work.
    const delivered = Object.fromEntries(
      names.map((name) => [
        name,
        Math.min(...streams.filter((s) => s.name === name).map((s) => s.events())),
      ]),
    );
    const result = {
      case: 'redis-cluster',
      target: `cluster ≥ ${TARGET} × one server in requests/s (read, list, post with ${STREAMS} streams)`,
      settings: { seconds, connections, rounds, streams: STREAMS },
      rows,
      ratios,
      delivered,
      ratio: Math.min(...Object.values(ratios)),
      rssMb: { single: await services.single.rssMb(), cluster: await services.cluster.rssMb() },
    };
    result.met =
      result.ratio >= TARGET &&
      rows.every((row) => row.failures === 0) &&
      Object.values(delivered).every((count) => count > 0);
    return result;
  } finally {
    for (const stream of streams) stream.close();
    for (const service of Object.values(services)) await service.stop();
    await cluster.stop();
    await clearPrefix(prefix);
  }
}

async function post(base, auth) {
  const response = await fetch(`${base}/messages`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'listed', ttlSeconds: 600 }),
  });
  if (response.status !== 201) throw new Error(`post failed: ${response.status}`);
}

/** A live stream that counts the events it receives until it is closed. */
async function openStream(name, base) {
  const controller = new AbortController();
  const response = await fetch(`${base}/messages/stream`, { signal: controller.signal });
  if (response.status !== 200) throw new Error(`stream refused: ${response.status}`);
  let events = 0;
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for await (const chunk of response.body) {
        events += decoder.decode(chunk, { stream: true }).split('event:message.created').length - 1;
      }
    } catch {
      // closed by the case
    }
  })();
  return { name, events: () => events, close: () => controller.abort() };
}

runWhenMain(import.meta.url, run, (result) => {
  for (const row of result.rows) {
    console.log(
      `round ${row.round} ${row.kind.padEnd(5)} one server ${row.single}/s, cluster ${row.cluster}/s, ratio ${row.ratio.toFixed(2)}`,
    );
  }
  for (const [kind, ratio] of Object.entries(result.ratios)) {
    console.log(`${kind} cluster/one server (median): ${ratio.toFixed(3)}`);
  }
  console.log(`events delivered to the slowest stream: ${JSON.stringify(result.delivered)}`);
  console.log(`RSS MB: ${JSON.stringify(result.rssMb)}; met: ${result.met}`);
});
