/** Unit tests run alone; e2e tests share one PostgreSQL test database and Redis db, so `npm test` runs in band. */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

/**
 * The suites that run a second time, on a real Redis Cluster (the e2e-cluster project). To add a
 * Redis-touching e2e suite, add its path here: one line. test/e2e/cluster/ holds suites that run
 * on the cluster only.
 */
const clusterSuites = [
  'test/e2e/cluster/redis-cluster.e2e-spec.ts',
  'test/e2e/cluster/auth-cache-failover.e2e-spec.ts',
  'test/e2e/cluster/board-failover.e2e-spec.ts',
  'test/e2e/cluster/redis-copy-messages.e2e-spec.ts',
  'test/e2e/contracts/auth-state-cache.contract.e2e-spec.ts',
  'test/e2e/contracts/message-event-bus.contract.e2e-spec.ts',
  'test/e2e/contracts/message-store.contract.e2e-spec.ts',
  'test/e2e/contracts/mfa-challenge-store.contract.e2e-spec.ts',
  'test/e2e/auth-login.e2e-spec.ts',
  'test/e2e/auth-tokens.e2e-spec.ts',
  'test/e2e/messages.e2e-spec.ts',
  'test/e2e/messages-stream.e2e-spec.ts',
  'test/e2e/ephemeral.e2e-spec.ts',
  'test/e2e/rpc-methods.e2e-spec.ts',
  'test/e2e/two-instances.e2e-spec.ts',
  'test/e2e/health.e2e-spec.ts',
  'test/e2e/redis-protocol.e2e-spec.ts',
];

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/test/unit'],
      testMatch: ['**/*.spec.ts'],
      setupFiles: ['<rootDir>/test/unit/setup.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/test/e2e'],
      testMatch: ['**/*.e2e-spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/cluster/'],
      globalSetup: '<rootDir>/test/e2e/support/global-setup.ts',
      slowTestThreshold: 15,
    },
    {
      // The same suites on six redis-server processes (3 masters, 3 replicas) that its globalSetup
      // starts on free loopback ports and its globalTeardown stops.
      displayName: 'e2e-cluster',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/test/e2e'],
      testMatch: clusterSuites.map((path) => `**/${path}`),
      setupFiles: ['<rootDir>/test/e2e/support/cluster-test-files.ts'],
      globalSetup: '<rootDir>/test/e2e/support/cluster-global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/support/cluster-global-teardown.ts',
      slowTestThreshold: 15,
    },
    {
      // The web page in Debian's Chromium, driven by playwright-core, against the real service.
      displayName: 'browser',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/test/browser'],
      testMatch: ['**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/e2e/support/global-setup.ts',
      slowTestThreshold: 30,
    },
  ],
  testTimeout: 30000,
};
