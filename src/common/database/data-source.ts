import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { loadConfig } from '../config/load-config';
import { readEnvFile } from '../config/env-file';

/**
 * The one description of the database, used by the application and by the TypeORM CLI
 * (`npm run migration:*`, which reads the compiled copy of this file).
 */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.database.url,
    entities: [join(__dirname, '..', '..', '**', '*.orm-entity.{ts,js}')],
    migrations: [join(__dirname, '..', '..', '..', 'migrations', '*.{ts,js}')],
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: ['error', 'warn', 'migration'],
    extra: {
      max: 20,
      // Fail fast when PostgreSQL is away, so requests get a 503 instead of hanging.
      connectionTimeoutMillis: config.database.connectTimeoutMs,
      query_timeout: config.database.queryTimeoutMs,
      statement_timeout: config.database.queryTimeoutMs,
      application_name: 'tempmessenger',
    },
  };
}

readEnvFile();
export default new DataSource(dataSourceOptions(loadConfig()));
