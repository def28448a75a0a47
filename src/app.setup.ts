import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { fastify } from 'fastify';
import helmet from 'helmet';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { version } from '../package.json';
import { AppModule } from './app.module';
import { AppConfig } from './common/config';
import { HttpErrorFilter } from './common/errors';
import { acceptJsonBodiesOnly, MAX_BODY_BYTES, StrictValidationPipe } from './common/http';
import { slowClientOptions } from './common/http/slow-clients';
import { setupSwagger } from './common/http/swagger';
import { serveWebPage } from './common/http/web-page';
import {
  AccessLog,
  bindRequestContext,
  echoRequestId,
  registerAccessLog,
  requestIdFor,
} from './common/logging';
import { Metrics, registerRequestMetrics } from './common/metrics';
import { traceRequests, tracingStarted } from './common/tracing';
import { RPC_ROUTE, rpcErrorReply } from './rpc';

/**
 * Route parameters of any length reach the handlers, whose validation answers 400 for a bad one
 * (Fastify's default of 100 characters would turn a long id into a 404).
 */
const MAX_PARAM_LENGTH = 2048;

/**
 * TRUST_PROXY's hop count, as Fastify 5.11 read it: the nearest `hops` addresses are proxies.
 * Fastify 5.12 refuses a bare number (it then trusts no proxy), but takes this function.
 */
function trustedProxies(trust: boolean | number) {
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;
}

/** The built web page: `dist/web`, beside the compiled `dist/src`. */
const WEB_ROOT = join(__dirname, '..', 'web');

/**
 * Builds the application the way `main.ts` serves it; the e2e tests use it too. Fastify rather
 * than Express: the framework floor is several times higher (see docs/performance.md).
 */
export async function createApp(
  config: AppConfig,
  webRoot = WEB_ROOT,
): Promise<NestFastifyApplication> {
  const server = fastify({
    trustProxy: trustedProxies(config.trustProxy),
    bodyLimit: MAX_BODY_BYTES,
    genReqId: requestIdFor,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    ...slowClientOptions(config.http),
  });
  // Past it, Node closes new connections at once, before they cost more than a file descriptor.
  server.server.maxConnections = config.http.maxConnections;
  // Before the adapter adds its own hooks (CORS among them), so every answer carries the id.
  echoRequestId(server);
  const adapter = new FastifyAdapter(server);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bodyParser: false,
    bufferLogs: true,
  });
  await configureApp(app, config, webRoot);
  return app;
}

/** Everything that shapes HTTP behaviour beyond the modules: one place, shared with the tests. */
export async function configureApp(
  app: NestFastifyApplication,
  config: AppConfig,
  webRoot = WEB_ROOT,
): Promise<void> {
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.flushLogs();
  if (config.jwt.secretGenerated) {
    logger.warn(
      'JWT_SECRET is not set: using a generated secret; tokens stop working when the process restarts',
      'Config',
    );
  }
  if (config.mfa.encryptionKeyGenerated) {
    logger.warn(
      'MFA_ENCRYPTION_KEY is not set: using a generated key; two-factor secrets set up now stop working when the process restarts (recovery codes still do)',
      'Config',
    );
  }
  if (config.trustProxy === true) {
    // Refused in production; allowed elsewhere so a local proxy setup works, but said out loud.
    logger.warn(
      'TRUST_PROXY=true trusts every hop: any client picks its own address with X-Forwarded-For, and escapes per-address limits; give the number of proxies in front, e.g. TRUST_PROXY=1',
      'Config',
    );
  }

  const server = app.getHttpAdapter().getInstance();
  // First: every later hook, the handler and the log lines they write run inside the span.
  if (tracingStarted()) traceRequests(server);
  bindRequestContext(server, await app.resolve(PinoLogger));
  registerAccessLog(server, app.get(AccessLog));
  if (config.metrics.enabled) registerRequestMetrics(server, app.get(Metrics));
  acceptJsonBodiesOnly(server);
  // helmet itself, built once: @fastify/helmet builds a new helmet middleware for every request.
  const secureHeaders = helmet();
  server.addHook('onRequest', (request, reply, done) =>
    secureHeaders(request.raw, reply.raw, () => done()),
  );
  app.enableCors({
    origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false,
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'WWW-Authenticate'],
    maxAge: 600,
  });
  app.useGlobalPipes(new StrictValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter({ [RPC_ROUTE]: rpcErrorReply }));
  app.enableShutdownHooks();
  if (config.docsEnabled) setupSwagger(app, version);
  if (!(await serveWebPage(app, webRoot))) {
    logger.warn(`No web page at ${webRoot} (run npm run build); serving the API only`, 'WebPage');
  }
}
