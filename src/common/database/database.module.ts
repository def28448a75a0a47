import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { AppConfig } from '../config/app-config';
import { DatabasePoolMetrics } from './database-pool.metrics';
import { dataSourceOptions } from './data-source';
import { ensureDatabaseExists } from './ensure-database';
import { JobLock } from './job-lock';
import { PostgresAdvisoryLock } from './postgres-advisory.lock';
import { runMigrationsExclusively } from './run-migrations';
import { TypeOrmTransactionContext } from './typeorm-transaction.context';
import { UnitOfWork } from './unit-of-work';

@Global()
@Module({
  providers: [
    TypeOrmTransactionContext,
    { provide: UnitOfWork, useExisting: TypeOrmTransactionContext },
    { provide: JobLock, useClass: PostgresAdvisoryLock },
    DatabasePoolMetrics,
  ],
  exports: [TypeOrmTransactionContext, UnitOfWork, JobLock],
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config),
        migrationsRun: config.database.migrationsRun,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
      dataSourceFactory: async (options) => {
        const { migrationsRun, ...postgres } = options as PostgresDataSourceOptions;
        await ensureDatabaseExists(postgres.url!, postgres.extra.connectionTimeoutMillis);
        // Migrations run under a lock here rather than unlocked inside initialize().
        const dataSource = await new DataSource({ ...postgres, migrationsRun: false }).initialize();
        if (migrationsRun) await runMigrationsExclusively(dataSource);
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
