export { type DatabasePoolReading, type Dependency, type Exposition, Metrics } from './metrics';
export { type MetricsAddress, MetricsListener } from './metrics-listener';
export { MetricsModule } from './metrics.module';
export { registerRequestMetrics, routeLabel, UNMATCHED_ROUTE } from './request-metrics';
