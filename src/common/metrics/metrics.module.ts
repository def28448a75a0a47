import { Global, Module } from '@nestjs/common';
import { Metrics } from './metrics';
import { MetricsListener } from './metrics-listener';

/** The metrics every module records into, and their own listener (METRICS_HOST/METRICS_PORT). */
@Global()
@Module({
  providers: [Metrics, MetricsListener],
  exports: [Metrics, MetricsListener],
})
export class MetricsModule {}
