import { Command, type Redis } from 'ioredis';
import { Metrics } from '../../../src/common/metrics';
import { timeRedisCommands } from '../../../src/common/redis/redis-command-timing';
import { parsePrometheusText, Scrape } from '../../e2e/support/prometheus';

async function scrape(metrics: Metrics): Promise<Scrape> {
  return new Scrape(parsePrometheusText((await metrics.exposition()).body));
}

/** A promise settled from outside, for work still running when the metrics are read. */
function pending<T>() {
  let settle!: { resolve: (value: T) => void; reject: (error: Error) => void };
  const promise = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  return { promise, ...settle };
}

describe('Metrics', () => {
  let metrics: Metrics;

  beforeEach(() => {
    metrics = new Metrics();
  });

  it('counts bcrypt work while it runs, and lets go of it whether it succeeds or fails', async () => {
    const succeeding = pending<string>();
    const failing = pending<string>();
    const first = metrics.bcryptWork(() => succeeding.promise);
    const second = metrics.bcryptWork(() => failing.promise);
    expect((await scrape(metrics)).value('tempmessenger_bcrypt_in_flight')).toBe(2);

    succeeding.resolve('hash');
    await expect(first).resolves.toBe('hash');
    failing.reject(new Error('thread pool on fire'));
    await expect(second).rejects.toThrow('thread pool on fire');
    expect((await scrape(metrics)).value('tempmessenger_bcrypt_in_flight')).toBe(0);
  });

  it('reads streams, the pool and the dependencies when scraped, not before', async () => {
    let streams = 0;
    let databaseUp = true;
    metrics.readSseClientsFrom(() => streams);
    metrics.readDatabasePoolFrom(() => ({ total: 5, idle: 2, waiting: 1 }));
    metrics.probeDependency('database', async () => databaseUp);
    metrics.probeDependency('redis', async () => true);

    streams = 3;
    databaseUp = false;
    const first = await scrape(metrics);
    expect(first.value('tempmessenger_sse_clients')).toBe(3);
    expect(first.value('tempmessenger_database_pool_connections')).toBe(5);
    expect(first.value('tempmessenger_database_pool_idle_connections')).toBe(2);
    expect(first.value('tempmessenger_database_pool_waiting')).toBe(1);
    expect(first.value('tempmessenger_dependency_up', { dependency: 'database' })).toBe(0);
    expect(first.value('tempmessenger_dependency_up', { dependency: 'redis' })).toBe(1);

    databaseUp = true;
    const second = await scrape(metrics);
    expect(second.value('tempmessenger_dependency_up', { dependency: 'database' })).toBe(1);
  });

  it('keeps each app’s counts apart, and shows the process metrics in each', async () => {
    const other = new Metrics();
    metrics.messagePosted();
    metrics.throttled('login-failures');
    const [mine, theirs] = await Promise.all([scrape(metrics), scrape(other)]);
    expect(mine.value('tempmessenger_messages_posted_total')).toBe(1);
    expect(mine.value('tempmessenger_throttled_total', { limiter: 'login-failures' })).toBe(1);
    expect(theirs.value('tempmessenger_messages_posted_total')).toBe(0);
    expect(theirs.series('tempmessenger_throttled_total')).toEqual([]);
    for (const each of [mine, theirs]) {
      expect(each.series('nodejs_heap_size_used_bytes')).toHaveLength(1);
    }
  });

  it('times a Redis command once by its lower-case name, even when it is sent again', async () => {
    const client = { sendCommand: (command: Command) => command.promise };
    timeRedisCommands(client as unknown as Redis, metrics);
    const command = new Command('GET', ['key']);
    // ioredis sends a command again after a reconnection.
    void client.sendCommand(command);
    void client.sendCommand(command);
    command.resolve('value');
    await command.promise;
    const failed = new Command('EVALSHA', ['sha', '0']);
    void client.sendCommand(failed);
    failed.reject(new Error('NOSCRIPT'));
    await expect(failed.promise).rejects.toThrow('NOSCRIPT');

    const scraped = await scrape(metrics);
    const count = 'tempmessenger_redis_command_duration_seconds_count';
    expect(scraped.value(count, { command: 'get' })).toBe(1);
    expect(scraped.value(count, { command: 'evalsha' })).toBe(1);
    expect(scraped.series(count)).toHaveLength(2);
  });
});
