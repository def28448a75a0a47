import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  RequestMethod,
} from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AuthModule } from './auth';
import { AppConfig, ConfigModule } from './common/config';
import { DatabaseModule } from './common/database';
import { HealthModule } from './common/health';
import { RequestBodyMiddleware } from './common/http';
import { LoggingModule } from './common/logging';
import { RedisModule } from './common/redis';
import { TimeModule } from './common/time';
import { MessagesModule } from './messages';
import { UsersModule } from './users';

@Module({})
export class AppModule implements NestModule {
  /** The configuration is passed in, so tests can boot apps with different settings side by side. */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        ScheduleModule.forRoot(),
        TimeModule,
        DatabaseModule,
        RedisModule,
        HealthModule,
        UsersModule,
        AuthModule,
        MessagesModule,
      ],
    };
  }

  /** Runs after the request logger (an imported module's middleware), so body errors are logged. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestBodyMiddleware).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
