import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Metrics } from '../metrics';
import { DatabaseHealthIndicator } from './database.health-indicator';
import { RedisHealthIndicator } from './redis.health-indicator';

/** Well inside Prometheus' default scrape timeout (10 s), and short enough to mean "down". */
const PROBE_TIMEOUT_MS = 1000;

/**
 * `tempmessenger_dependency_up`: each scrape pings PostgreSQL and Redis with the health check's
 * own indicators, so the metric and `GET /health` cannot disagree on what "up" means.
 */
@Injectable()
export class DependencyMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly database: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  onModuleInit(): void {
    this.metrics.probeDependency('database', async () => {
      const { database } = await this.database.pingCheck('database', PROBE_TIMEOUT_MS);
      return database.status === 'up';
    });
    this.metrics.probeDependency('redis', async () => {
      const { redis } = await this.redis.pingCheck('redis', PROBE_TIMEOUT_MS);
      return redis.status === 'up';
    });
  }
}
