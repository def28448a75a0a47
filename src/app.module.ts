import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AuthModule } from './auth';
import { AuditModule } from './common/audit';
import { AppConfig, ConfigModule } from './common/config';
import { DatabaseModule } from './common/database';
import { HealthModule } from './common/health';
import { LoggingModule } from './common/logging';
import { MailModule } from './common/mail';
import { MetricsModule } from './common/metrics';
import { RedisModule } from './common/redis';
import { TimeModule } from './common/time';
import { TracingModule } from './common/tracing';
import { MessagesModule } from './messages';
import { RpcModule } from './rpc';
import { UsersModule } from './users';

@Module({})
export class AppModule {
  /** The configuration is passed in, so tests can boot apps with different settings side by side. */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        TracingModule,
        MetricsModule,
        ScheduleModule.forRoot(),
        TimeModule,
        AuditModule,
        DatabaseModule,
        RedisModule,
        MailModule,
        HealthModule,
        UsersModule,
        AuthModule,
        MessagesModule,
        RpcModule,
      ],
    };
  }
}
