import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import {
  detectResources,
  resourceAttributesEnvDetector,
  resourceFromAttributes,
  serviceNameEnvDetector,
} from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { version } from '../../../package.json';
import { markTracingStarted } from './tracing-state';
import type { TracingSettings } from './tracing-settings';

/**
 * Starts the trace SDK: W3C trace context, and spans for PostgreSQL queries and Redis commands.
 * The requests' own spans come from a Fastify hook (request-span.ts), not from the HTTP
 * instrumentation, which costs more per request and names spans by raw path; no Nest
 * instrumentation either: @opentelemetry/instrumentation-nestjs-core stops before Nest 12.
 * Must run before pg and ioredis are loaded, since the instrumentations patch them as they are
 * required (see src/tracing.ts).
 */
export function startTracing(settings: TracingSettings): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
  const provider = new TracerProvider({
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over these defaults.
    resource: resourceFromAttributes({
      'service.name': 'tempmessenger',
      'service.version': version,
    }).merge(
      detectResources({ detectors: [resourceAttributesEnvDetector, serviceNameEnvDetector] }),
    ),
    sampler: samplerFor(settings),
    spanProcessors: settings.exporters.map((name) => spanProcessorFor(name, settings)),
  });
  trace.setGlobalTracerProvider(provider);

  // Each instrumentation enables itself when made, and finds the provider through the API.
  // Only inside a traced piece of work: the health and metrics probes' own pings stay untraced.
  // No span for taking a pooled connection: one per query, telling nothing the query's does not.
  new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true });
  new IORedisInstrumentation({ requireParentSpan: true });

  markTracingStarted({
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  });
}

function spanProcessorFor(
  name: TracingSettings['exporters'][number],
  settings: TracingSettings,
): SpanProcessor {
  // Printed spans are for a developer watching: each as soon as it ends.
  if (name === 'console') return new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() });
  // The exporters read OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _HEADERS, _TIMEOUT and _COMPRESSION.
  const exporter =
    settings.protocol === 'http/json' ? new OtlpJsonExporter() : new OtlpProtobufExporter();
  return new BatchSpanProcessor({ exporter, ...definedOnly(settings.batch) });
}

function samplerFor({ sampler, samplerRatio }: TracingSettings): Sampler {
  const ratio = new TraceIdRatioBasedSampler(samplerRatio);
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
