// What a Redis Cluster failover costs the message board: for `rounds` rounds, a fresh six-node
// cluster (the tests' harness, test/support/redis-cluster.ts) and the built service on it; posters
// on `connections` keep-alive connections post without pause; after `seconds` the master holding
// the board's slot is killed (SIGKILL, no warning), and posting goes on until posts answer 201
// again and `seconds` more. Then every acknowledged post (201) is read back by id: one that is
// gone was acknowledged by the lost master but never reached its replica.
// With `stall`, the replica is stopped (SIGSTOP) for the last 500 ms before the kill and resumed
// (SIGCONT) just after it, so that it is behind its master when the master dies.
// Then the same cluster measures what WAIT 1 would cost each post: the board's write, as one Lua
// call in the board's slot, with and without a WAIT 1 after it on the same connection, in
// alternating slices; and whether it keeps every acknowledged write through a second kill.
// Usage: npm run bench:cluster-failover -- [seconds=3] [connections=20] [rounds=3] [stall]
// Exits 1 on a 5xx other than 503, a transport error, or a round whose posts never recover.
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { Cluster } from 'ioredis';
import { jsonClient } from '../lib/http-client.mjs';
import { median } from '../lib/load.mjs';
import { freePorts } from '../lib/ports.mjs';
import { clusterEnv, registerUser, startService } from '../lib/service.mjs';
import { startRedisCluster, servesSlot } from '../../test/support/redis-cluster.ts';
import { redisKeys } from '../../dist/src/common/redis/key-namespaces.js';

const PREFIX = 'tm-bench-failover:';
const BOARD_KEY = `${PREFIX}${redisKeys.messagesEvents()}`;
const STALL_MS = 500;
const RECOVERY_DEADLINE_MS = 30_000;
const WAIT_SLICES = 6;
const WAIT_SLICE_SECONDS = 2;

const [seconds = 3, connections = 20, rounds = 3] = process.argv
  .slice(2)
  .filter((arg) => arg !== 'stall')
  .map(Number);
const stall = process.argv.includes('stall');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function boardMaster(cluster, redis) {
  const slot = await redis.cluster('KEYSLOT', BOARD_KEY);
  const topology = await cluster.topology();
  const master = topology.find((node) => node.role === 'master' && servesSlot(node, slot));
  const replica = topology.find((node) => node.role === 'replica' && node.masterId === master.id);
  return {
    master,
    replica,
    pidOf: (port) => cluster.pids()[cluster.nodes.indexOf(`127.0.0.1:${port}`)],
  };
}

function clusterClient(cluster) {
  const redis = new Cluster(
    cluster.nodes.map((address) => ({ host: '127.0.0.1', port: Number(address.split(':')[1]) })),
    { redisOptions: { maxRetriesPerRequest: 1 }, clusterRetryStrategy: () => 100 },
  );
  redis.on('error', () => {});
  return redis;
}

/** One round through the service: returns what was acknowledged, lost and answered. */
async function serviceRound() {
  const cluster = await startRedisCluster({ nodeTimeoutMs: 1000 });
  const redis = clusterClient(cluster);
  const [port] = await freePorts(1);
  const service = await startService({
    port,
    env: {
      ...clusterEnv(cluster),
      REDIS_KEY_PREFIX: PREFIX,
      ACCESS_TOKEN_TTL: '1h',
    },
  });
  const client = jsonClient(service.base, { sockets: connections, timeoutMs: 10_000 });
  try {
    const user = await registerUser(service.base, 'failover');
    const { master, replica, pidOf } = await boardMaster(cluster, redis);
    const replicaPid = pidOf(replica.port);
    const acknowledged = []; // { id, at }
    const statuses = {};
    let killedAt = null;
    let recoveredAt = null;
    let stopAt = Infinity;
    const poster = async (n) => {
      for (let i = 0; performance.now() < stopAt; i++) {
        const answer = await client.request({
          method: 'POST',
          path: '/messages',
          token: user.accessToken,
          body: { message: `poster ${n} post ${i}`, ttlSeconds: 600 },
        });
        const key = answer.error ?? answer.status;
        statuses[key] = (statuses[key] ?? 0) + 1;
        if (answer.status === 201) {
          const at = performance.now();
          acknowledged.push({ id: answer.body.id, at });
          if (killedAt !== null && recoveredAt === null && at - answer.ms > killedAt) {
            recoveredAt = at;
            stopAt = at + seconds * 1000;
          }
        }
      }
    };
    const posters = Array.from({ length: connections }, (_, n) => poster(n));
    await sleep(seconds * 1000 - (stall ? STALL_MS : 0));
    if (stall) {
      process.kill(replicaPid, 'SIGSTOP');
      await sleep(STALL_MS);
    }
    await cluster.stopNode(master.port);
    killedAt = performance.now();
    if (stall) process.kill(replicaPid, 'SIGCONT');
    const deadline = setTimeout(() => (stopAt = 0), RECOVERY_DEADLINE_MS);
    await Promise.all(posters);
    clearTimeout(deadline);

    const lost = [];
    for (const { id, at } of acknowledged) {
      const read = await client.request({ path: `/messages/${id}` });
      if (read.status !== 200)
        lost.push({ id, beforeKillMs: Math.round(killedAt - at), status: read.status });
    }
    return {
      acknowledged: acknowledged.length,
      acknowledgedBeforeKill: acknowledged.filter(({ at }) => at < killedAt).length,
      lost: lost.length,
      lostSamples: lost.slice(0, 5),
      statuses,
      recoveredAfterMs: recoveredAt === null ? null : Math.round(recoveredAt - killedAt),
    };
  } finally {
    client.close();
    await service.stop();
    redis.disconnect();
    await cluster.stop();
  }
}

const WRITE = `redis.call('SET', KEYS[1], ARGV[1], 'PX', 600000)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', 1000, '*', 'message', KEYS[1])
return 1`;

/** WAIT 1's cost per write, and whether it keeps acknowledged writes through a kill. */
async function waitRound() {
  const cluster = await startRedisCluster({ nodeTimeoutMs: 1000 });
  const redis = clusterClient(cluster);
  try {
    await new Promise((resolve) => redis.once('ready', resolve));
    let n = 0;
    const write = async (withWait) => {
      const key = `${PREFIX}${redisKeys.message(String(n++))}`;
      const pipeline = redis.pipeline().eval(WRITE, 2, key, BOARD_KEY, 'x'.repeat(200));
      // In the pipeline, WAIT goes to the write's node, on the same connection after it.
      if (withWait) pipeline.call('WAIT', '1', '100');
      const results = await pipeline.exec();
      const failed = results.find(([error]) => error);
      if (failed) throw failed[0];
      return { key, replicas: withWait ? results[1][1] : null };
    };
    const slice = async (withWait) => {
      const latencies = [];
      const end = performance.now() + WAIT_SLICE_SECONDS * 1000;
      await Promise.all(
        Array.from({ length: connections }, async () => {
          while (performance.now() < end) {
            const started = performance.now();
            await write(withWait);
            latencies.push(performance.now() - started);
          }
        }),
      );
      latencies.sort((a, b) => a - b);
      return {
        perSecond: latencies.length / WAIT_SLICE_SECONDS,
        p50: latencies[Math.floor(latencies.length / 2)],
        p99: latencies[Math.floor(latencies.length * 0.99)],
      };
    };
    const slices = { without: [], with: [] };
    for (let i = 0; i < WAIT_SLICES; i++) {
      for (const arm of i % 2 === 0 ? ['without', 'with'] : ['with', 'without']) {
        slices[arm].push(await slice(arm === 'with'));
      }
    }
    const summary = (arm) => ({
      perSecond: Math.round(median(slices[arm].map((s) => s.perSecond))),
      p50Ms: Number(median(slices[arm].map((s) => s.p50)).toFixed(3)),
      p99Ms: Number(median(slices[arm].map((s) => s.p99)).toFixed(3)),
    });

    // Through a kill: writes acknowledged with WAIT 1 = 1 must all be there afterwards.
    const { master } = await boardMaster(cluster, redis);
    const kept = [];
    let stop = false;
    const writers = Array.from({ length: connections }, async () => {
      while (!stop) {
        try {
          const { key, replicas } = await write(true);
          if (replicas >= 1) kept.push(key);
        } catch {
          await sleep(50);
        }
      }
    });
    await sleep(1000);
    await cluster.stopNode(master.port);
    await sleep(5000);
    stop = true;
    await Promise.all(writers);
    let missing = 0;
    for (const key of kept) if ((await redis.exists(key)) !== 1) missing++;
    return {
      without: summary('without'),
      with: summary('with'),
      keptThroughKill: kept.length,
      missing,
    };
  } finally {
    redis.disconnect();
    await cluster.stop();
  }
}

const results = [];
let failed = false;
for (let round = 1; round <= rounds; round++) {
  const result = await serviceRound();
  results.push(result);
  console.log(
    `round ${round}${stall ? ' (replica stalled before the kill)' : ''}: ${JSON.stringify(result)}`,
  );
  for (const status of Object.keys(result.statuses)) {
    if (status !== '201' && status !== '503') failed = true;
  }
  if (result.recoveredAfterMs === null) failed = true;
}
const wait = await waitRound();
console.log(`WAIT 1: ${JSON.stringify(wait)}`);
console.log(
  `WAIT 1 / without: writes/s ${(wait.with.perSecond / wait.without.perSecond).toFixed(2)}, p50 +${(wait.with.p50Ms - wait.without.p50Ms).toFixed(3)} ms`,
);
console.log(
  `lost acknowledged posts: ${results.map((r) => `${r.lost}/${r.acknowledgedBeforeKill}`).join(', ')} (lost / acknowledged before the kill)`,
);
if (failed) {
  console.log('FAILED: an answer other than 201 or 503, or posts never answered 201 again');
  process.exitCode = 1;
}
