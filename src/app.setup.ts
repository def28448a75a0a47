import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { version } from '../package.json';
import { AppModule } from './app.module';
import { AppConfig } from './common/config';
import { HttpErrorFilter } from './common/errors';
import { StrictValidationPipe } from './common/http';
import { setupSwagger } from './common/http/swagger';
import { assignRequestId, RouteLoggingInterceptor } from './common/logging';

/** Builds the application the way `main.ts` serves it; the e2e tests use it too. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  configureApp(app, config);
  return app;
}

/** Everything that shapes HTTP behaviour beyond the modules: one place, shared with the tests. */
export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.flushLogs();
  if (config.jwt.secretGenerated) {
    logger.warn(
      'JWT_SECRET is not set: using a generated secret; tokens stop working when the process restarts',
      'Config',
    );
  }

  app.set('trust proxy', config.trustProxy);
  // Responses are no-store or ephemeral: hashing every body for an ETag buys nothing.
  app.set('etag', false);
  // Before CORS, whose preflight answers never reach the request logger, so they carry an id too.
  app.use((request: Request, response: Response, next: NextFunction) => {
    assignRequestId(request, response);
    next();
  });
  app.use(helmet());
  app.enableCors({
    origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false,
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'WWW-Authenticate'],
    maxAge: 600,
  });
  app.useGlobalPipes(new StrictValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  app.useGlobalInterceptors(new RouteLoggingInterceptor());
  app.enableShutdownHooks();
  if (config.docsEnabled) setupSwagger(app, version);
}
