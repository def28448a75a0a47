/** Unit tests run alone; e2e tests share one PostgreSQL test database and Redis db, so `npm test` runs in band. */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

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
      globalSetup: '<rootDir>/test/e2e/support/global-setup.ts',
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
