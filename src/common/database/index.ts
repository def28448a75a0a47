export { DatabaseModule } from './database.module';
export { dataSourceOptions } from './data-source';
export { ensureDatabaseExists } from './ensure-database';
