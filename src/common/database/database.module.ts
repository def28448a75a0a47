import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source';
import { ensureDatabaseExists } from './ensure-database';

@Module({
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
        const postgres = options as PostgresConnectionOptions;
        await ensureDatabaseExists(postgres.url!, postgres.extra.connectionTimeoutMillis);
        return new DataSource(postgres).initialize();
      },
    }),
  ],
})
export class DatabaseModule {}
