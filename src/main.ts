// First: the trace SDK must be up before Nest and the libraries it traces load (see tracing.ts).
import './tracing';
import 'reflect-metadata';
import { createApp } from './app.setup';
import { configFromEnvironment } from './common/config';

async function bootstrap(): Promise<void> {
  const config = configFromEnvironment();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
}

bootstrap().catch((error: unknown) => {
  // Start-up failed (PostgreSQL unreachable after retries, port taken…): say why, exit non-zero.
  process.stderr.write(`TempMessenger failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
