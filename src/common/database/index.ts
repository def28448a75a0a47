export { DatabaseModule } from './database.module';
export { dataSourceOptions } from './data-source';
export { ensureDatabaseExists } from './ensure-database';
export { JobLock } from './job-lock';
export { translatePostgresError } from './postgres-failure';
export { TypeOrmTransactionContext } from './typeorm-transaction.context';
export { UnitOfWork } from './unit-of-work';
export { isUniqueViolation } from './unique-violation';
export { columnOf, selectList, tableOf } from './mapped-columns';
