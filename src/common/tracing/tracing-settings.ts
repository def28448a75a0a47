/** Where finished spans go: an OTLP/HTTP collector, stdout, or both. */
export type SpanExporterName = 'otlp' | 'console';

/** The OTLP/HTTP encodings; gRPC is not bundled (it would pull in a gRPC stack). */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

/** What the standard `OTEL_*` variables ask of the trace SDK, once they turned it on. */
export interface TracingSettings {
  readonly exporters: readonly SpanExporterName[];
  readonly protocol: OtlpProtocol;
  readonly sampler: SamplerName;
  /** OTEL_TRACES_SAMPLER_ARG: the share of traces kept by the ratio samplers. */
  readonly samplerRatio: number;
  /** OTEL_BSP_*: the batch processor in front of the OTLP exporter; unset keeps the SDK's default. */
  readonly batch: {
    readonly scheduledDelayMillis?: number;
    readonly exportTimeoutMillis?: number;
    readonly maxQueueSize?: number;
    readonly maxExportBatchSize?: number;
  };
}

/** Thrown for an `OTEL_*` value the service cannot honour; its message is one line. */
export class TracingConfigError extends Error {
  override readonly name = 'TracingConfigError';
}

const EXPORTERS = ['otlp', 'console', 'none'] as const;
const PROTOCOLS: readonly string[] = ['http/protobuf', 'http/json'] satisfies OtlpProtocol[];
const SAMPLERS: readonly string[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] satisfies SamplerName[];

/**
 * Reads the standard variables (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/).
 * Tracing is on when OTEL_TRACES_EXPORTER names an exporter or an OTLP endpoint is set (the
 * exporter then defaults to `otlp`); null when it is off: nothing set, OTEL_TRACES_EXPORTER=none
 * or OTEL_SDK_DISABLED=true. Empty variables count as unset, as the specification says.
 */
export function tracingSettingsFrom(env: NodeJS.ProcessEnv): TracingSettings | null {
  const read = (name: string) => env[name]?.trim() || undefined;
  if (read('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return null;

  const endpoint =
    read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? read('OTEL_EXPORTER_OTLP_ENDPOINT');
  const exporterList = read('OTEL_TRACES_EXPORTER') ?? (endpoint ? 'otlp' : undefined);
  if (!exporterList) return null;
  const exporters = [...new Set(exporterList.split(',').map((name) => name.trim().toLowerCase()))];
  const unknown = exporters.filter((name) => !(EXPORTERS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new TracingConfigError(
      `Invalid configuration: OTEL_TRACES_EXPORTER must list otlp, console or none, not "${unknown.join(', ')}"`,
    );
  }
  if (exporters.includes('none')) return null;

  const protocolVariable = read('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = read(protocolVariable) ?? 'http/protobuf';
  if (!PROTOCOLS.includes(protocol)) {
    throw new TracingConfigError(
      `Invalid configuration: ${protocolVariable} must be http/protobuf or http/json (grpc is not supported), not "${protocol}"`,
    );
  }

  const sampler = read('OTEL_TRACES_SAMPLER')?.toLowerCase() ?? 'parentbased_always_on';
  if (!SAMPLERS.includes(sampler)) {
    throw new TracingConfigError(
      `Invalid configuration: OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}, not "${sampler}"`,
    );
  }
  const ratioText = read('OTEL_TRACES_SAMPLER_ARG');
  const samplerRatio = ratioText === undefined ? 1 : Number(ratioText);
  if (!(samplerRatio >= 0 && samplerRatio <= 1)) {
    throw new TracingConfigError(
      `Invalid configuration: OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, not "${ratioText}"`,
    );
  }

  const count = (name: string) => {
    const text = read(name);
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) {
      throw new TracingConfigError(
        `Invalid configuration: ${name} must be a whole number, not "${text}"`,
      );
    }
    return Number(text);
  };
  return {
    exporters: exporters as SpanExporterName[],
    protocol: protocol as OtlpProtocol,
    sampler: sampler as SamplerName,
    samplerRatio,
    batch: {
      scheduledDelayMillis: count('OTEL_BSP_SCHEDULE_DELAY'),
      exportTimeoutMillis: count('OTEL_BSP_EXPORT_TIMEOUT'),
      maxQueueSize: count('OTEL_BSP_MAX_QUEUE_SIZE'),
      maxExportBatchSize: count('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
    },
  };
}
