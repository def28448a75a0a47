import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../../src/app.setup';
import type { AppConfig } from '../../../src/common/config';
import { MetricsListener } from '../../../src/common/metrics';
import { testConfig } from './test-environment';

/** A running application, as the tests and their helpers use it. */
export interface AppUnderTest {
  readonly app: NestFastifyApplication;
  readonly config: AppConfig;
  /** supertest bound to the app's server, with no port opened. */
  readonly http: ReturnType<typeof request>;
  /** Listens on a free loopback port (once) and returns the base URL, for real HTTP clients. */
  listen(): Promise<string>;
  /** The metrics listener's `/metrics` URL (its own free port); throws when metrics are off. */
  metricsUrl(): string;
}

/** An application started by hand: the test that started it closes it. */
export interface TestApp extends AppUnderTest {
  close(): Promise<void>;
}

/** Environment variables over the test settings of `testConfig`. */
export type TestSettings = Record<string, string>;

/** Boots the real application, exactly as `main.ts` does, with test settings. */
export async function startTestApp(overrides: TestSettings = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  // The page as `npm run build` (or the `pretest` script) builds it.
  const app = await createApp(config, join(__dirname, '..', '..', '..', 'dist', 'web'));
  try {
    await app.init();
    // Fastify finishes loading its plugins (helmet, CORS, Swagger's static files) here.
    await app.getHttpAdapter().getInstance().ready();
  } catch (error) {
    // A start that fails (a taken port...) still lets go of PostgreSQL and Redis.
    await app.close();
    throw error;
  }
  const server = app.getHttpServer() as Server;
  let listening: Promise<string> | undefined;
  return {
    app,
    config,
    http: request(server),
    listen: () =>
      (listening ??= app.listen(0, '127.0.0.1').then(() => {
        const address = server.address() as AddressInfo;
        return `http://127.0.0.1:${address.port}`;
      })),
    metricsUrl: () => {
      const address = app.get(MetricsListener).address;
      if (!address) throw new Error('Metrics are off for this app (METRICS_ENABLED=false)');
      const host = address.host.includes(':') ? `[${address.host}]` : address.host;
      return `http://${host}:${address.port}/metrics`;
    },
    close: () => app.close(),
  };
}

export interface UseTestAppOptions {
  /**
   * Listen on a loopback port from the start, so that concurrent supertest requests go to one
   * server rather than each opening its own.
   */
  readonly listen?: boolean;
}

/**
 * The application for the tests of the enclosing `describe`: started in a `beforeAll`, closed in
 * an `afterAll`, usable in tests and in later hooks. Jest runs hooks in the order they are
 * declared, so a `beforeAll` declared after this call finds the app up, and an `afterAll`
 * declared before it runs while the app still is. Settings given as a function are read at the
 * start, so they may use what an earlier `beforeAll` made (a relay's URL, say).
 */
export function useTestApp(
  settings: TestSettings | (() => TestSettings) = {},
  options: UseTestAppOptions = {},
): AppUnderTest {
  let running: TestApp | undefined;
  beforeAll(async () => {
    running = await startTestApp(typeof settings === 'function' ? settings() : settings);
    if (options.listen) await running.listen();
  });
  afterAll(() => running?.close());

  const current = (): TestApp => {
    if (!running) throw new Error('The test app runs from its beforeAll to its afterAll only');
    return running;
  };
  return {
    get app() {
      return current().app;
    },
    get config() {
      return current().config;
    },
    get http() {
      return current().http;
    },
    listen: () => current().listen(),
    metricsUrl: () => current().metricsUrl(),
  };
}
