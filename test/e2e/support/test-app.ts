import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../../src/app.setup';
import type { AppConfig } from '../../../src/common/config';
import { testConfig } from './test-environment';

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly config: AppConfig;
  /** supertest bound to the app's server, with no port opened. */
  readonly http: ReturnType<typeof request>;
  /** Listens on a free loopback port (once) and returns the base URL, for real HTTP clients. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** Boots the real application, exactly as `main.ts` does, with test settings. */
export async function startTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  // The page as `npm run build` (or the `pretest` script) builds it.
  const app = await createApp(config, join(__dirname, '..', '..', '..', 'dist', 'web'));
  await app.init();
  // Fastify finishes loading its plugins (helmet, CORS, Swagger's static files) here.
  await app.getHttpAdapter().getInstance().ready();
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
    close: () => app.close(),
  };
}
