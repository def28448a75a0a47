// Preloaded (`node --require`) into a benchmarked service to give it a no-op span exporter: the
// OTLP exporter's `export` reports success at once and sends nothing, so spans are still made,
// sampled, batched and handed over, and only serialising and sending are left out. The service's
// own configuration stays the production one (OTEL_TRACES_EXPORTER=otlp).
const exporterPath = require.resolve('@opentelemetry/exporter-trace-otlp-proto', {
  paths: [process.cwd()],
});
const { OTLPTraceExporter } = require(exporterPath);

OTLPTraceExporter.prototype.export = function discard(_spans, resultCallback) {
  resultCallback({ code: 0 });
};
