import { DataSource } from 'typeorm';
import { dataSourceOptions, ensureDatabaseExists } from '../../../src/common/database';
import {
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  testConfig,
  testRedisClusterNodes,
} from './test-environment';
import { flushTestRedis, testRedisClient } from './test-redis';

/**
 * Before the e2e suite: checks that PostgreSQL and Redis answer (failing with a clear message
 * when they do not), recreates the test database schema from the migrations, and empties the
 * test Redis db.
 */
export default async function globalSetup(): Promise<void> {
  await resetTestStores(testRedisClusterNodes());
}

/** The same, with the Redis Cluster at `clusterNodes` (every master emptied) when given. */
export async function resetTestStores(clusterNodes: string | undefined): Promise<void> {
  const config = testConfig();
  try {
    await ensureDatabaseExists(TEST_DATABASE_URL, 3000);
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${TEST_DATABASE_URL} (${(error as Error).message}). ` +
        'Start it, or set TEST_DATABASE_URL.',
      { cause: error },
    );
  }
  const dataSource = await new DataSource({
    ...dataSourceOptions(config),
    logging: false,
  }).initialize();
  try {
    await dataSource.query('DROP SCHEMA public CASCADE');
    await dataSource.query('CREATE SCHEMA public');
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }

  const redis = testRedisClient({ lazyConnect: true, maxRetriesPerRequest: 0 }, clusterNodes);
  try {
    await redis.connect();
    await flushTestRedis(redis);
  } catch (error) {
    const where = clusterNodes ? `the Redis Cluster ${clusterNodes}` : TEST_REDIS_URL;
    throw new Error(
      `Redis is not reachable at ${where} (${(error as Error).message}). ` +
        (clusterNodes ? 'Is it still running?' : 'Start it, or set TEST_REDIS_URL.'),
      { cause: error },
    );
  } finally {
    redis.disconnect();
  }
}
