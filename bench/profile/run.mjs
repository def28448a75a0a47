// Profiles one hot route of the built service under load and prints where its CPU goes
// (bench/profile/attribute.mjs): the service runs with `node --cpu-prof`, is warmed up for 3 s,
// loaded for `seconds` by `connections` connections, and stopped; the profile covers the whole
// run, start-up included, which the load dwarfs.
// Routes: users-me (case 2, GET /users/me with a warm auth cache), messages-list (case 3,
// GET /messages?limit=100 with 100 live messages) and refresh (case 12, POST /auth/refresh, each
// connection rotating a session of its own in a chain, as the case does).
// Usage: npm run bench:profile -- <users-me|messages-list|refresh> [seconds=10] [connections=50]
// With PROFILE_TRACED=1 the service traces every request, exporting to a no-op exporter (as case 9's
// traced instance does), to see what the traces cost; OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG,
// when set, reach it. With PROFILE_CLUSTER=1 it runs on a Redis Cluster the script starts (case
// 10's harness), to see what the cluster client costs.
// (npm runs it on the project's pinned Node: the machine's own may refuse --cpu-prof in NODE_OPTIONS)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { clearPrefix } from '../lib/baseline.mjs';
import { logIns, rotate } from '../cases/refresh.mjs';
import { jsonClient } from '../lib/http-client.mjs';
import { load, loopLoad } from '../lib/load.mjs';
import { BENCH_REDIS_URL, clusterEnv, registerUser } from '../lib/service.mjs';
import { attribute, printAttribution } from './attribute.mjs';
import { startProfiledService, usersMeRequest } from './profiled-service.mjs';
import { startRedisCluster } from '../../test/support/redis-cluster.ts';

const WARM_UP_SECONDS = 3;
const LISTED_MESSAGES = 100;

/** Each route prepares its data and answers how to load it: `drive(seconds)`, then `close()`. */
const ROUTES = {
  'users-me': async (base) => byUrl(await usersMeRequest(base)),
  'messages-list': async (base, prefix) => {
    const { RedisMessageStore } =
      await import('../../dist/src/messages/infrastructure/redis-message.store.js');
    const redis = cluster
      ? new Redis.Cluster(cluster.nodes, { keyPrefix: prefix })
      : new Redis(BENCH_REDIS_URL, { keyPrefix: prefix });
    const store = new RedisMessageStore(redis);
    for (let i = 0; i < LISTED_MESSAGES; i++) {
      await store.post({
        id: randomUUID(),
        text: `profiled message ${i}`,
        authorId: randomUUID(),
        authorEmail: 'profile@example.com',
        ttlSeconds: 3600,
      });
    }
    redis.disconnect();
    return byUrl({ url: `${base}/messages?limit=${LISTED_MESSAGES}` });
  },
  refresh: async (base) => {
    const client = jsonClient(base, { sockets: connections });
    const chains = await logIns(client, await registerUser(base, 'profile'), connections);
    return {
      drive: (duration) =>
        loopLoad({
          connections,
          duration,
          step: (loop) => rotate(client, chains, loop, 'service'),
        }),
      close: () => client.close(),
    };
  },
};

/** A route autocannon loads as it is, every request the same. */
function byUrl(request) {
  return { drive: (duration) => load({ ...request, connections, duration }), close() {} };
}

const [route, seconds = 10, connections = 50] = [
  process.argv[2],
  ...process.argv.slice(3).map(Number),
];
if (!ROUTES[route]) {
  console.error(
    `Usage: node bench/profile/run.mjs <${Object.keys(ROUTES).join('|')}> [seconds] [connections]`,
  );
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'tempmessenger-profile-'));
const traced = process.env.PROFILE_TRACED === '1';
const prefix = `tm-bench-profile-${process.pid}:`;
const cluster = process.env.PROFILE_CLUSTER === '1' ? await startRedisCluster() : undefined;
let service;
try {
  service = await startProfiledService({
    traced,
    env: {
      ...(cluster ? clusterEnv(cluster) : {}),
      REDIS_KEY_PREFIX: prefix,
      NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}`,
    },
  });
} catch (error) {
  await cluster?.stop();
  throw error;
}
let result;
try {
  const target = await ROUTES[route](service.base, prefix);
  try {
    await target.drive(WARM_UP_SECONDS);
    result = await target.drive(seconds);
  } finally {
    target.close();
  }
} finally {
  await service.stop();
  if (cluster) await cluster.stop();
  else await clearPrefix(prefix);
}
// The service's main thread writes the largest profile (the log worker's is mostly idle).
const [main] = readdirSync(dir)
  .map((name) => join(dir, name))
  .sort((a, b) => statSync(b).size - statSync(a).size);
console.log(
  `${route}${traced ? ' (traced)' : ''}${cluster ? ' (cluster)' : ''}: ${Math.round(result.rps)} req/s, ${result.failures} failures, over ${seconds} s; profile ${main}`,
);
printAttribution(attribute(JSON.parse(readFileSync(main, 'utf8'))));
