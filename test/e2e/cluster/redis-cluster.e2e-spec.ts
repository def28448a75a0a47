import { readdirSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { Logger } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import {
  ask,
  parseClusterNodes,
  type RedisCluster,
  servesSlot,
  startRedisCluster,
} from '../../support/redis-cluster';
import { createRedisClient, defineRedisScript } from '../../../src/common/redis';
import { useIsolatedRedis } from '../support/adapter-connections';
import { until } from '../support/polling';
import { testConfig, testEnvironment, testRedisClusterNodes } from '../support/test-environment';
import { flushTestRedis, testRedisClient, testRedisKeys } from '../support/test-redis';

const portOf = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));

/** PIDs of the redis-server processes this process started that have not been reaped. */
function ownRedisServers(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        // `pid (comm) state ppid …`
        const [, comm, rest] = /^\d+ \((.*)\) (.*)$/.exec(
          readFileSync(`/proc/${pid}/stat`, 'utf8').trim(),
        )!;
        return comm === 'redis-server' && Number(rest.split(' ')[1]) === process.pid;
      } catch {
        return false; // ended while we looked
      }
    })
    .map(Number);
}

describe('The Redis Cluster of the e2e-cluster project', () => {
  const nodes = (testRedisClusterNodes() ?? '').split(',');
  let redis: Cluster;

  beforeAll(() => {
    redis = testRedisClient({ maxRetriesPerRequest: 1 }) as Cluster;
  });

  afterAll(() => redis.quit());

  it('is what testRedisClient() and testEnvironment() hand to the tests and the apps', () => {
    expect(nodes).toHaveLength(6);
    expect(redis).toBeInstanceOf(Cluster);
    const environment = testEnvironment();
    expect(environment.REDIS_CLUSTER_NODES).toBe(nodes.join(','));
    // No db index: a cluster has db 0 only, and the shared test Redis stays out of it.
    expect(environment.REDIS_URL).toBe(`redis://${nodes[0]}`);
  });

  it('is ok: every slot served, 3 masters, each with a replica in sync', async () => {
    for (const address of nodes) {
      const info = await ask<string>(portOf(address), 'CLUSTER', 'INFO');
      expect(info).toContain('cluster_state:ok');
      expect(info).toContain('cluster_slots_assigned:16384');
    }
    const topology = parseClusterNodes(await ask<string>(portOf(nodes[0]), 'CLUSTER', 'NODES'));
    const masters = topology.filter((node) => node.role === 'master');
    const replicas = topology.filter((node) => node.role === 'replica');
    expect(masters).toHaveLength(3);
    expect(masters.every((node) => node.slots.length > 0)).toBe(true);
    expect(replicas).toHaveLength(3);
    expect(new Set(replicas.map((node) => node.masterId))).toEqual(
      new Set(masters.map((node) => node.id)),
    );
    for (const replica of replicas) {
      expect(await ask<string>(replica.port, 'INFO', 'replication')).toContain(
        'master_link_status:up',
      );
    }
  });

  it('puts keys of different hash tags on different masters, and one tag in one slot', async () => {
    // A prefix of its own: the suites before this one leave their own {u:…} keys behind.
    const prefix = `tm-test-slots-${process.pid}-${Date.now()}:`;
    const tags = Array.from({ length: 30 }, (_, i) => `{u:${i}}`);
    await Promise.all(tags.map((tag) => redis.set(`${prefix}${tag}:state`, tag)));

    const holder = new Map<string, string>();
    const topology = parseClusterNodes(await ask<string>(portOf(nodes[0]), 'CLUSTER', 'NODES'));
    for (const master of topology.filter((node) => node.role === 'master')) {
      for (const key of await ask<string[]>(master.port, 'KEYS', `${prefix}{u:*`)) {
        expect(holder.has(key)).toBe(false);
        holder.set(key, master.address);
      }
    }
    expect(holder.size).toBe(tags.length);
    expect(new Set(holder.values()).size).toBe(3);

    await redis.mset('tm-test:{board}:index', '1', 'tm-test:{board}:log', '2');
    expect(await redis.mget('tm-test:{board}:index', 'tm-test:{board}:log')).toEqual(['1', '2']);
    await expect(
      redis.mset('tm-test:{u:1}:state', '1', 'tm-test:{u:2}:state', '2'),
    ).rejects.toThrow(/CROSSSLOT/);
  });

  it('reads back through the cluster client what it wrote', async () => {
    await redis.set('tm-test:round-trip', 'written', 'PX', 60_000);
    expect(await redis.get('tm-test:round-trip')).toBe('written');
    expect(await redis.pttl('tm-test:round-trip')).toBeGreaterThan(50_000);
  });

  it('is emptied on every master by the flush of the e2e global setup', async () => {
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => redis.set(`tm-test:{flush:${i}}`, String(i))),
    );
    expect(await testRedisKeys(redis, 'tm-test:{flush:*')).toHaveLength(30);
    await flushTestRedis(redis);
    expect(await testRedisKeys(redis, '*')).toEqual([]);
    for (const master of redis.nodes('master')) expect(await master.dbsize()).toBe(0);
  });
});

describe("The service's client on the cluster", () => {
  const redis = useIsolatedRedis();

  it('answers scripts and commands on every master issued in one tick, each from its own slot', async () => {
    const client = await redis.client();
    expect(client).toBeInstanceOf(Cluster);
    // Pipelining comes on once the slot map is known (the client is ready here).
    expect((client as Cluster).options.enableAutoPipelining).toBe(true);
    const echo = defineRedisScript<string[]>(
      client,
      'testEchoFirstKey',
      "return {KEYS[1], redis.call('GET', KEYS[1]) or false}",
    );
    // Thirty hash tags spread over the three masters; each written first.
    const tags = Array.from({ length: 30 }, (_, i) => `{tick:${i}}`);
    await Promise.all(tags.map((tag) => client.set(`${tag}:value`, tag)));

    // All in one tick: the client pipelines commands for the same nodes together, and a script
    // (whose first argument is its key count, not a key) must not join another node's pipeline.
    const scripted = tags.map((tag) => echo([`${tag}:value`, `${tag}:other`], ['an argument']));
    const read = tags.map((tag) => client.mget(`${tag}:value`, `${tag}:missing`));
    const [scripts, reads] = await Promise.all([Promise.all(scripted), Promise.all(read)]);

    const prefix = (client as Cluster).options.keyPrefix;
    expect(scripts).toEqual(tags.map((tag) => [`${prefix}${tag}:value`, tag]));
    expect(reads).toEqual(tags.map((tag) => [tag, null]));
  });
});

describe("The service's client on a cluster it cannot reach", () => {
  it('fails a command at once rather than holding it for the slot map', async () => {
    // A port nothing listens on: the client never gets a slot map.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: taken } = server.address() as AddressInfo;
        server.close(() => resolve(taken));
      });
    });
    const config = testConfig();
    const client = createRedisClient(
      { ...config, redis: { ...config.redis, clusterNodes: [{ host: '127.0.0.1', port }] } },
      new Logger('test', { timestamp: false }),
    );
    client.on('error', () => {});
    try {
      await expect(client.get('tm-test:never-ready')).rejects.toThrow(/Cluster isn't ready/);
    } finally {
      client.disconnect();
    }
  });
});

describe('A failover, on a cluster of its own', () => {
  let cluster: RedisCluster;
  let redis: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster({ nodeTimeoutMs: 1000 });
    redis = testRedisClient({ maxRetriesPerRequest: 1 }, cluster.nodes.join(',')) as Cluster;
  }, 30_000);

  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  it('promotes the replica of a stopped master, then takes the old master back as a replica', async () => {
    const key = 'tm-test:{board}:failover';
    // Asked of a node: ioredis sends CLUSTER commands before its cluster client is ready.
    const slot = await ask<number>(portOf(cluster.nodes[0]), 'CLUSTER', 'KEYSLOT', key);
    const before = await cluster.topology();
    const master = before.find((node) => node.role === 'master' && servesSlot(node, slot))!;
    const replica = before.find((node) => node.masterId === master.id)!;

    // Written and acknowledged by the replica, so it must outlive the master.
    const direct = new Redis({ port: master.port, lazyConnect: true });
    await direct.connect();
    await direct.set(key, 'before');
    expect(await direct.wait(1, 2000)).toBe(1);
    direct.disconnect();

    await cluster.stopNode(master.port);
    await until(async () => {
      const promoted = (await cluster.topology()).find((node) => node.id === replica.id);
      return promoted?.role === 'master' && servesSlot(promoted, slot);
    }, 15_000);
    expect(await cluster.masters()).toContain(replica.address);
    expect(await cluster.masters()).not.toContain(master.address);

    await until(
      () =>
        redis.get(key).then(
          (value) => value === 'before',
          () => false,
        ),
      10_000,
    );
    await redis.set(key, 'after');
    expect(await redis.get(key)).toBe('after');

    await cluster.startNode(master.port);
    await until(async () => {
      const rejoined = (await cluster.topology()).find((node) => node.id === master.id);
      return rejoined?.role === 'replica' && rejoined.masterId === replica.id;
    }, 15_000);
    await until(async () => {
      const replication = await ask<string>(master.port, 'INFO', 'replication');
      return replication.includes('master_link_status:up');
    }, 10_000);
    const rejoined = new Redis({ port: master.port, lazyConnect: true });
    await rejoined.connect();
    await rejoined.readonly();
    expect(await rejoined.get(key)).toBe('after');
    rejoined.disconnect();
  }, 60_000);

  it('stops every node by its PID, however often stop() is called', async () => {
    const pids = cluster.pids();
    expect(pids.length).toBeGreaterThan(0);
    await Promise.all([cluster.stop(), cluster.stop()]);
    await cluster.stop();
    expect(cluster.pids()).toEqual([]);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });
});

describe('A start that fails', () => {
  it('says why and leaves no process behind', async () => {
    const before = ownRedisServers(); // in band, the project's own cluster is ours too
    // Three masters at least: redis-cli refuses two.
    await expect(startRedisCluster({ masters: 2 })).rejects.toThrow(/at least 3 master/);
    expect(ownRedisServers()).toEqual(before);
  });
});
