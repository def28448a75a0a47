import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { TypeOrmPinoLogger } from './typeorm-pino.logger';
import { configFromEnvironment } from '../config/config-from-environment';

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
    logger: new TypeOrmPinoLogger(),
    logging: ['error', 'warn', 'migration'],
    maxQueryExecutionTime: 1000,
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

/** For the TypeORM CLI; a bad setting ends it with one line, like the server. */
export default new DataSource(dataSourceOptions(configFromEnvironment()));
