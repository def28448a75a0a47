import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import request from 'supertest';
import { createApp } from '../../../src/app.setup';
import type { AppConfig } from '../../../src/common/config';
import { testConfig } from './test-environment';

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly config: AppConfig;
  /** supertest bound to the app's server, with no port opened. */
  readonly http: ReturnType<typeof request>;
  close(): Promise<void>;
}

/** Boots the real application, exactly as `main.ts` does, with test settings. */
export async function startTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  const app = await createApp(config);
  await app.init();
  // Fastify finishes loading its plugins (helmet, CORS, Swagger's static files) here.
  await app.getHttpAdapter().getInstance().ready();
  const server = app.getHttpServer() as Server;
  return {
    app,
    config,
    http: request(server),
    close: () => app.close(),
  };
}
