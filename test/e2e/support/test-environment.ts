import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppConfig, loadConfig } from '../../../src/common/config';

/** The e2e tests own this database and this Redis db index; both are wiped by the tests. */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tempmessenger_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
export const TEST_REDIS_KEY_PREFIX = 'tm-test:';

/**
 * `host:port,…` of the Redis Cluster the tests run on, or undefined on the single test Redis. The
 * e2e-cluster project sets it for its own test files only (test/e2e/support/cluster-*.ts).
 */
export function testRedisClusterNodes(): string | undefined {
  return process.env.TEST_REDIS_CLUSTER_NODES || undefined;
}

/**
 * How the e2e-cluster project's globalSetup hands the node list to its own test files. Jest runs
 * every project's globalSetup in one process before any test, so a TEST_REDIS_CLUSTER_NODES set
 * there would reach the single-server suites of the same run too.
 */
export const CLUSTER_NODES_HANDOFF = 'E2E_CLUSTER_PROJECT_NODES';
/** The key of the TOTP secrets under test: the previous key a rotation test names. */
export const TEST_MFA_ENCRYPTION_KEY = 'e2e-test-mfa-key-that-is-long-enough-for-production';

/** Refuses to let the tests wipe a database whose name does not say it is for tests. */
export function assertTestDatabase(url: string): void {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!name.includes('test')) {
    throw new Error(`Refusing to use database "${name}" for tests: its name must contain "test"`);
  }
}

/** Settings for an app under test: the test stores, cheap bcrypt, quiet stdout, a fresh log dir. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig(testEnvironment(overrides));
}

/** The same settings as environment variables, for a service started as a child process. */
export function testEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  assertTestDatabase(overrides.DATABASE_URL ?? TEST_DATABASE_URL);
  const clusterNodes = testRedisClusterNodes();
  return {
    NODE_ENV: 'test',
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    // On a cluster, REDIS_URL names a node (db 0, the only one a cluster has) instead of the
    // shared test Redis, so nothing a suite runs there ever lands on the single server.
    ...(clusterNodes && {
      REDIS_CLUSTER_NODES: clusterNodes,
      REDIS_URL: `redis://${clusterNodes.split(',')[0]}`,
    }),
    REDIS_KEY_PREFIX: TEST_REDIS_KEY_PREFIX,
    JWT_SECRET: 'e2e-test-secret-that-is-long-enough-for-production',
    // One key for every app of a run, so a secret sealed by one app opens in the next.
    MFA_ENCRYPTION_KEY: TEST_MFA_ENCRYPTION_KEY,
    BCRYPT_COST: '4',
    // High by default so suites do not throttle each other; throttling tests set their own.
    AUTH_IP_LIMIT: '100000',
    PUBLIC_READ_LIMIT: '100000',
    LOGIN_MAX_FAILURES: '1000',
    MESSAGE_POST_LIMIT: '100000',
    LOG_DIR: mkdtempSync(join(tmpdir(), 'tempmessenger-logs-')),
    LOG_STDOUT: 'false',
    // Metrics on, as in production, on a free loopback port: many apps run on one machine.
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
    ...overrides,
  };
}
