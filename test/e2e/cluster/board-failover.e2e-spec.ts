import { randomUUID } from 'node:crypto';
import { redisKeys } from '../../../src/common/redis';
import {
  ask,
  type ClusterNodeState,
  type RedisCluster,
  servesSlot,
  startRedisCluster,
} from '../../support/redis-cluster';
import { bearer, login, registerAccount, type TestAccount } from '../support/accounts';
import { type EventStream, openEventStream } from '../support/event-stream';
import { expectError } from '../support/expectations';
import { sleep, until } from '../support/polling';
import { type AppUnderTest, useTestApp } from '../support/test-app';

const FAILOVER_DEADLINE_MS = 20_000;
const ATTEMPT_EVERY_MS = 100;

/**
 * Two instances with live streams open, and the master holding the board's slot stops without
 * warning (SIGKILL). Until its replica takes over, posts may answer 503, never 500 and never a
 * 201 that was not kept; a revoked token stays refused, since PostgreSQL holds revocations; and
 * afterwards posts, lists and streams work again with no restart of the service.
 */
describe('The message board through a failover of its master, two instances on a cluster of their own', () => {
  const prefix = `tm-test-failover-${randomUUID()}:`;
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster({ nodeTimeoutMs: 1000 });
  }, 30_000);
  const settings = () => ({
    REDIS_CLUSTER_NODES: cluster.nodes.join(','),
    REDIS_URL: `redis://${cluster.nodes[0]}`,
    REDIS_KEY_PREFIX: prefix,
  });
  const first = useTestApp(settings, { listen: true });
  const second = useTestApp(settings, { listen: true });
  const streams: EventStream[] = [];
  afterAll(async () => {
    await Promise.all(streams.map((stream) => stream.close()));
  });
  // Declared after the apps, so it runs once they are closed.
  afterAll(() => cluster?.stop());

  const slotOf = (key: string) =>
    ask<number>(Number(cluster.nodes[0].split(':')[1]), 'CLUSTER', 'KEYSLOT', `${prefix}${key}`);
  const masterOf = async (slot: number): Promise<ClusterNodeState> =>
    (await cluster.topology()).find((node) => node.role === 'master' && servesSlot(node, slot))!;
  const open = async (app: AppUnderTest, headers: Record<string, string> = {}) => {
    const stream = await openEventStream(`${await app.listen()}/messages/stream`, headers);
    streams.push(stream);
    expect(stream.status).toBe(200);
    return stream;
  };
  const post = (app: AppUnderTest, account: TestAccount, message: string) =>
    app.http.post('/messages').set(bearer(account.accessToken)).send({ message, ttlSeconds: 120 });
  const createdEvent = (id: string) => (event: { event?: string; data: string }) =>
    event.event === 'message.created' && JSON.parse(event.data).id === id;

  it('answers 503 at worst, keeps revocations, and recovers without a restart', async () => {
    const board = await masterOf(await slotOf(redisKeys.messagesEvents()));
    // A user whose cached state sits on the same master, so its revocation goes through the
    // failover too (a third of users do).
    let ada: TestAccount | undefined;
    for (let attempt = 0; attempt < 30 && !ada; attempt++) {
      const account = await registerAccount(first);
      const home = await masterOf(await slotOf(redisKeys.authAccount(account.id)));
      if (home.id === board.id) ada = account;
    }
    if (!ada) throw new Error("No account's slot landed on the board's master in 30 tries");
    const revoked = ada.accessToken;
    const kept = { ...ada, ...(await login(first, ada.email, ada.password)) };
    await first.http.post('/auth/logout').set(bearer(revoked)).expect(200);
    // Both answers are now cached on the board's master.
    await second.http.get('/users/me').set(bearer(revoked)).expect(401);
    await second.http.get('/users/me').set(bearer(kept.accessToken)).expect(200);

    const watchers = [await open(first), await open(second)];
    const before = (await post(first, kept, 'before the failover').expect(201)).body;
    const seen = await Promise.all(
      watchers.map((stream) => stream.waitFor(createdEvent(before.id))),
    );
    // What happened before the failover is on the replica too: the test is about the failover,
    // not about replication's lag (docs/reliability.md measures that).
    await until(async () => {
      const replication = await ask<string>(board.port, 'INFO', 'replication');
      const written = Number(/master_repl_offset:(\d+)/.exec(replication)![1]);
      const copied = /slave0:.*offset=(\d+)/.exec(replication);
      return copied !== null && Number(copied[1]) >= written;
    }, 5000);

    await cluster.stopNode(board.port);
    const stoppedAt = Date.now();

    const answers: Record<string, number[]> = { post: [], list: [], revoked: [], kept: [] };
    const acknowledged: string[] = [];
    let recovered = false;
    for (let i = 0; !recovered && Date.now() - stoppedAt < FAILOVER_DEADLINE_MS; i++) {
      const app = i % 2 === 0 ? first : second;
      const [posted, list, revokedRead, keptRead] = await Promise.all([
        post(app, kept, `during the failover ${i}`),
        app.http.get('/messages?limit=5'),
        app.http.get('/users/me').set(bearer(revoked)),
        app.http.get('/users/me').set(bearer(kept.accessToken)),
      ]);
      answers.post.push(posted.status);
      answers.list.push(list.status);
      answers.revoked.push(revokedRead.status);
      answers.kept.push(keptRead.status);
      if (posted.status === 201) acknowledged.push(posted.body.id);
      for (const response of [posted, list, revokedRead, keptRead]) {
        if (response.status === 503) expectError(response, 503, 'SERVICE_UNAVAILABLE');
      }
      recovered = posted.status === 201 && list.status === 200;
      if (!recovered) await sleep(ATTEMPT_EVERY_MS);
    }
    expect(recovered).toBe(true);
    const only = (statuses: number[], allowed: number[]) =>
      expect(statuses.filter((status) => !allowed.includes(status))).toEqual([]);
    only(answers.post, [201, 503]);
    only(answers.list, [200, 503]);
    // The revoked token is refused throughout; the other one is never refused as revoked.
    only(answers.revoked, [401]);
    only(answers.kept, [200, 503]);

    // Both instances ended their streams (their subscriber lost the board's shard), so their
    // clients resume from the log: nothing acknowledged since is missed.
    await expect(Promise.all(watchers.map((stream) => stream.ended))).resolves.toEqual([
      true,
      true,
    ]);
    const resumed = await Promise.all(
      [first, second].map((app, i) => open(app, { 'Last-Event-ID': seen[i].id! })),
    );
    for (const stream of resumed) {
      for (const id of acknowledged) await stream.waitFor(createdEvent(id));
    }
    for (const id of acknowledged) await second.http.get(`/messages/${id}`).expect(200);

    // And live again, through either instance, on both.
    const after = (await post(second, kept, 'after the failover').expect(201)).body;
    await Promise.all(resumed.map((stream) => stream.waitFor(createdEvent(after.id))));
    await first.http.get('/users/me').set(bearer(revoked)).expect(401);
    await first.http.get('/users/me').set(bearer(kept.accessToken)).expect(200);
    // The stopped master is gone from the count: its replica serves its slots.
    const health = await first.http.get('/health').expect(200);
    expect(health.body.checks.redis).toEqual({
      status: 'up',
      cluster: { state: 'ok', masters: 3, mastersReachable: 3 },
    });
  }, 60_000);
});
