import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { pingCheck } from './ping-with-timeout';

/**
 * `SELECT 1` on the app's pool. Terminus' TypeORM indicator does the same but resolves its
 * modules with `require` on every call, which showed in profiles of a busy /health.
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
  ) {}

  pingCheck<Key extends string>(key: Key, timeoutMs: number) {
    return pingCheck(this.indicators, key, () => this.dataSource.query('SELECT 1'), timeoutMs);
  }
}
