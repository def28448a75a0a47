import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { isUniqueViolation } from './unique-violation';

/**
 * TypeORM's messages through the service's logger. Query parameters are never logged (they hold
 * password hashes and emails), and unique violations, which callers turn into 409s, are debug.
 */
export class TypeOrmPinoLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('TypeORM');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    const message = typeof error === 'string' ? error : error.message;
    if (isUniqueViolation(error)) {
      this.logger.debug({ query }, `Query refused: ${message}`);
      return;
    }
    this.logger.error({ query }, `Query failed: ${message}`);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ query, durationMs: time }, 'Slow query');
  }

  logSchemaBuild(message: string): void {
    this.logger.log(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  /** TypeORM 1 reports where it found entities and migrations at every start: debug detail. */
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}
