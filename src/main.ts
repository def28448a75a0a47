import 'reflect-metadata';
import { createApp } from './app.setup';
import { configFromEnvironment } from './common/config';

async function bootstrap(): Promise<void> {
  const config = configFromEnvironment();
  const app = await createApp(config);
  await app.listen(config.port);
}

void bootstrap();
