import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TranslateErrors } from '../errors/translate-errors';
import { JobLock } from './job-lock';
import { translatePostgresError } from './postgres-failure';

/**
 * A PostgreSQL session-level advisory lock, held on one dedicated connection for the whole run,
 * so only one instance runs a job at a time and a crashed holder releases it with its connection.
 */
@Injectable()
@TranslateErrors(translatePostgresError)
export class PostgresAdvisoryLock extends JobLock {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async runExclusive<T>(
    name: string,
    work: () => Promise<T>,
  ): Promise<{ ran: true; result: T } | { ran: false }> {
    const key = lockKey(name);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
        key,
      ])) as {
        locked: boolean;
      }[];
      if (!locked) return { ran: false };
      try {
        return { ran: true, result: await work() };
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [key]);
      }
    } finally {
      await runner.release();
    }
  }
}

/** A stable 63-bit key from the job's name. */
function lockKey(name: string): string {
  return createHash('sha256').update(`tempmessenger:${name}`).digest().readBigInt64BE(0).toString();
}
