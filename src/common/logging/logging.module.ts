import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { LogDestination } from './log-destination';

@Module({
  providers: [LogDestination],
  exports: [LogDestination],
})
class LogDestinationModule {}

/**
 * pino behind Nest's logger. nestjs-pino's per-request middleware is not mounted (`forRoutes` is
 * empty): Fastify hooks give lines their request context and write the access line, more cheaply
 * (see access-log.ts).
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
