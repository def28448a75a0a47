import { TracingConfigError, tracingSettingsFrom } from '../../../src/common/tracing';

describe('tracingSettingsFrom', () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };

  it.each([
    ['nothing is set', {}],
    ['the exporter is none, even with an endpoint', { ...endpoint, OTEL_TRACES_EXPORTER: 'none' }],
    ['the SDK is disabled', { ...endpoint, OTEL_SDK_DISABLED: 'true' }],
    ['the variables are empty', { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_TRACES_EXPORTER: ' ' }],
  ])('is off when %s', (_case, env) => {
    expect(tracingSettingsFrom(env)).toBeNull();
  });

  it('exports OTLP over http/protobuf, every trace its parent keeps, once an endpoint is set', () => {
    expect(tracingSettingsFrom(endpoint)).toEqual({
      exporters: ['otlp'],
      protocol: 'http/protobuf',
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
      batch: {},
    });
    expect(
      tracingSettingsFrom({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })
        ?.exporters,
    ).toEqual(['otlp']);
  });

  it('takes the exporters, protocol, sampler and batch settings named', () => {
    expect(
      tracingSettingsFrom({
        OTEL_TRACES_EXPORTER: 'console, OTLP',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_BSP_MAX_QUEUE_SIZE: '4096',
      }),
    ).toEqual({
      exporters: ['console', 'otlp'],
      protocol: 'http/json',
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
      batch: { scheduledDelayMillis: 100, maxQueueSize: 4096 },
    });
  });

  it.each([
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, /OTEL_TRACES_EXPORTER .*"zipkin"/],
    [{ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, /OTEL_EXPORTER_OTLP_PROTOCOL .*grpc/],
    [{ ...endpoint, OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER must/],
    [{ ...endpoint, OTEL_TRACES_SAMPLER_ARG: '1.5' }, /OTEL_TRACES_SAMPLER_ARG .*"1.5"/],
    [{ ...endpoint, OTEL_BSP_SCHEDULE_DELAY: '1s' }, /OTEL_BSP_SCHEDULE_DELAY .*"1s"/],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => tracingSettingsFrom(env)).toThrow(TracingConfigError);
    expect(() => tracingSettingsFrom(env)).toThrow(message);
  });
});
