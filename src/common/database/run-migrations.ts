import type { DataSource } from 'typeorm';

/** Any fixed 64-bit number; only this service's migrations take it. */
const MIGRATIONS_LOCK_KEY = '7346812095530174221';

/**
 * Applies pending migrations while holding a PostgreSQL advisory lock, so instances starting
 * together run them once, one after the other, instead of racing on the same DDL.
 */
export async function runMigrationsExclusively(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATIONS_LOCK_KEY]);
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATIONS_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
