import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { DataSource } from 'typeorm';
import { dataSourceOptions, TypeOrmTransactionContext } from '../../../src/common/database';
import { createRedisClient, type RedisClient } from '../../../src/common/redis';
import { testConfig } from './test-environment';

/** The test stores as the application connects to them, for tests that drive adapters directly. */
const config = testConfig();

export interface TestDatabase {
  /** The unit of work the TypeORM adapters take, on the suite's connection. */
  context(): TypeOrmTransactionContext;
  /** Deletes every account, and with it (by cascade) every session and blacklisted token. */
  empty(): Promise<void>;
  /** A new account row, for records that belong to a user; returns its id. */
  registerUser(): Promise<string>;
}

/** Connects to the test database for the suite (in band, so emptying it disturbs no other). */
export function useTestDatabase(): TestDatabase {
  let dataSource: DataSource;
  beforeAll(async () => {
    // TypeORM's own logger, silenced: the service's one logs refused queries the tests provoke.
    const options = { ...dataSourceOptions(config), logger: undefined, logging: false };
    dataSource = await new DataSource(options).initialize();
  });
  afterAll(() => dataSource.destroy());
  return {
    context: () => new TypeOrmTransactionContext(dataSource),
    empty: async () => {
      await dataSource.query('TRUNCATE users CASCADE');
    },
    registerUser: async () => {
      const id = randomUUID();
      await dataSource.query(
        `INSERT INTO users (id, email, first_name, last_name, password_hash, created_at)
         VALUES ($1, $2, 'Ada', 'Lovelace', 'not-a-hash', now())`,
        [id, `${id}@example.com`],
      );
      return id;
    },
  };
}

/**
 * Clients made as the application makes its own, each under a key prefix of its own, so every
 * test starts from an empty Redis; each is disconnected after its test.
 */
export function useIsolatedRedis(): { client(): Promise<RedisClient> } {
  const clients: RedisClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  return {
    client: async () => {
      const keyPrefix = `${config.redis.keyPrefix}${randomUUID()}:`;
      const client = createRedisClient({ ...config, redis: { ...config.redis, keyPrefix } });
      clients.push(client);
      // Like the application's, the client queues nothing before it is connected.
      await once(client, 'ready');
      return client;
    },
  };
}
