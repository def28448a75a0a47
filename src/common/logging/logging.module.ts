import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { LogDestination } from './log-destination';

@Module({
  providers: [LogDestination],
  exports: [LogDestination],
})
class LogDestinationModule {}

/**
 * pino behind Nest's logger. nestjs-pino's per-request middleware is not mounted (`forRoutes`
 * is empty): the access line is written by a Fastify hook (`registerAccessLog`), which is
 * cheaper, and error lines carry the request id themselves.
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
  exports: [LogDestinationModule],
})
export class LoggingModule {}
