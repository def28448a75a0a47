import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as OTLP/JSON carries it (ids in hex). */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Absent or empty for a root span. */
  readonly parentSpanId?: string;
  readonly name: string;
  /** 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly attributes?: ReadonlyArray<{ key: string; value: Record<string, unknown> }>;
}

interface ExportTraceServiceRequest {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: ReceivedSpan[] }> }>;
}

export const SPAN_KIND_SERVER = 2;

/**
 * An OTLP/HTTP trace collector on loopback, for a service exporting with
 * `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json`: it keeps every span it is sent.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  private readonly server: Server = createServer((request, response) => {
    void readJson(request).then((body: ExportTraceServiceRequest) => {
      for (const resource of body.resourceSpans ?? []) {
        for (const scope of resource.scopeSpans ?? []) this.spans.push(...(scope.spans ?? []));
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  /** Listens on a free loopback port; returns the traces endpoint. */
  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/traces`;
  }

  async stop(): Promise<void> {
    this.server.close();
    await once(this.server, 'close');
  }

  spansOfTrace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }
}

/** The value of a span attribute, whatever its OTLP type. */
export function attributeOf(span: ReceivedSpan, key: string): unknown {
  const value = span.attributes?.find((attribute) => attribute.key === key)?.value;
  return value && Object.values(value)[0];
}

/** True when `span` descends from `ancestor` through the spans of its trace. */
export function descendsFrom(span: ReceivedSpan, ancestor: ReceivedSpan, trace: ReceivedSpan[]) {
  const parents = new Map(trace.map((each) => [each.spanId, each.parentSpanId]));
  for (let parentId = span.parentSpanId; parentId; parentId = parents.get(parentId)) {
    if (parentId === ancestor.spanId) return true;
  }
  return false;
}

async function readJson(request: IncomingMessage): Promise<ExportTraceServiceRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportTraceServiceRequest;
}
