import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { httpLoggerOptions } from './http-logger.options';
import { LogDestination } from './log-destination';

@Module({
  providers: [LogDestination],
  exports: [LogDestination],
})
class LogDestinationModule {}

/** pino for every log line of the service (Nest's logger included), with request context. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      imports: [LogDestinationModule],
      inject: [AppConfig, LogDestination],
      useFactory: (config: AppConfig, destination: LogDestination) => ({
        pinoHttp: [httpLoggerOptions(config), destination.stream],
      }),
    }),
  ],
})
export class LoggingModule {}
