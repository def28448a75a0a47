import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AccessLog } from './access-log';
import { LogDestination } from './log-destination';
import { LoggingInterceptor } from './logging.interceptor';

@Module({
  providers: [LogDestination],
  exports: [LogDestination],
})
class LogDestinationModule {}

/**
 * pino behind Nest's logger, and the access log: `LoggingInterceptor` (global) notes the handler's
 * part of each line, and a Fastify hook (`registerAccessLog`) writes every line when its response
 * ends. nestjs-pino's per-request middleware is not mounted (`forRoutes` is empty): Fastify hooks
 * give lines their request context, more cheaply (see access-log.ts).
 */
@Module({
  imports: [
    LogDestinationModule,
    LoggerModule.forRootAsync({
      imports: [LogDestinationModule],
      inject: [LogDestination],
      useFactory: (destination: LogDestination) => ({
        pinoHttp: { logger: destination.logger },
        forRoutes: [],
      }),
    }),
  ],
  providers: [AccessLog, { provide: APP_INTERCEPTOR, useClass: LoggingInterceptor }],
  exports: [LogDestinationModule, AccessLog],
})
export class LoggingModule {}
