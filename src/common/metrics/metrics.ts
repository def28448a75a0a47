import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { processMetrics } from './process-metrics';

/** A dependency whose reachability is reported at each scrape. */
export type Dependency = 'database' | 'redis';

/** The PostgreSQL pool as it stands. */
export interface DatabasePoolReading {
  /** Open connections, idle or busy. */
  readonly total: number;
  readonly idle: number;
  /** Queries waiting for a connection. */
  readonly waiting: number;
}

/** The scraped text and its content type. */
export interface Exposition {
  readonly contentType: string;
  readonly body: string;
}

/**
 * OpenTelemetry's recommended boundaries for `http.server.request.duration`, whose Prometheus
 * name this histogram takes: fine below 100 ms (most answers), coarse up to 10 s.
 */
const REQUEST_SECONDS_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];
/** A Redis command answers in well under a millisecond when healthy; REDIS_COMMAND_TIMEOUT caps it. */
const REDIS_SECONDS_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

/**
 * The service's metrics, in a registry of its own (so several apps in one process, as in the
 * tests, keep separate counts). Other modules record through these methods and never see
 * prom-client; every label value comes from a fixed set in the code (route templates, event
 * and limiter names, command names), never from a caller's text or id.
 */
@Injectable()
export class Metrics {
  private readonly registry = new Registry();

  private readonly requestDuration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP requests, from the first byte read to the last byte sent, by route template.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: REQUEST_SECONDS_BUCKETS,
    registers: [this.registry],
  });

  private readonly authEvents = new Counter({
    name: 'tempmessenger_auth_events_total',
    help: 'Auth events written (login.succeeded, refresh.reused...), by event.',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  private readonly throttledTotal = new Counter({
    name: 'tempmessenger_throttled_total',
    help: 'Refusals by a rate limit (a 429, or a mail not sent), by limiter.',
    labelNames: ['limiter'] as const,
    registers: [this.registry],
  });

  private readonly messagesPosted = new Counter({
    name: 'tempmessenger_messages_posted_total',
    help: 'Messages posted, over REST and JSON-RPC.',
    registers: [this.registry],
  });

  private readonly bcryptInFlight = new Gauge({
    name: 'tempmessenger_bcrypt_in_flight',
    help: 'bcrypt hashes and comparisons running or queued on the thread pool.',
    registers: [this.registry],
  });

  private readonly redisCommandDuration = new Histogram({
    name: 'tempmessenger_redis_command_duration_seconds',
    help: 'Duration of Redis commands on the shared client, from sending to the reply, by command.',
    labelNames: ['command'] as const,
    buckets: REDIS_SECONDS_BUCKETS,
    registers: [this.registry],
  });

  private readSseClients: () => number = () => 0;
  private readDatabasePool: (() => DatabasePoolReading) | null = null;
  private readonly dependencyProbes = new Map<Dependency, () => Promise<boolean>>();

  constructor() {
    this.gaugeReadAtScrape(
      'tempmessenger_sse_clients',
      'Message streams (Server-Sent Events) open on this instance.',
      () => this.readSseClients(),
    );
    this.gaugeReadAtScrape(
      'tempmessenger_database_pool_connections',
      'Open PostgreSQL connections in the pool, idle or busy.',
      () => this.readDatabasePool?.().total,
    );
    this.gaugeReadAtScrape(
      'tempmessenger_database_pool_idle_connections',
      'PostgreSQL connections idle in the pool.',
      () => this.readDatabasePool?.().idle,
    );
    this.gaugeReadAtScrape(
      'tempmessenger_database_pool_waiting',
      'Queries waiting for a PostgreSQL connection from the pool.',
      () => this.readDatabasePool?.().waiting,
    );
    const probes = this.dependencyProbes;
    new Gauge({
      name: 'tempmessenger_dependency_up',
      help: 'Whether the dependency answered a ping at scrape time (1) or not (0).',
      labelNames: ['dependency'] as const,
      registers: [this.registry],
      async collect() {
        await Promise.all(
          [...probes].map(async ([dependency, isUp]) =>
            this.set({ dependency }, (await isUp()) ? 1 : 0),
          ),
        );
      },
    });
  }

  /** One finished HTTP response; `route` is the template (`/messages/:id`), never a path. */
  requestCompleted(method: string, route: string, statusCode: number, seconds: number): void {
    this.requestDuration.observe({ method, route, status_code: statusCode }, seconds);
  }

  authEvent(event: string): void {
    this.authEvents.inc({ event });
  }

  throttled(limiter: string): void {
    this.throttledTotal.inc({ limiter });
  }

  messagePosted(): void {
    this.messagesPosted.inc();
  }

  /** Counts the bcrypt work while it runs, rejected or not. */
  async bcryptWork<T>(work: () => Promise<T>): Promise<T> {
    this.bcryptInFlight.inc();
    try {
      return await work();
    } finally {
      this.bcryptInFlight.dec();
    }
  }

  redisCommandCompleted(command: string, seconds: number): void {
    this.redisCommandDuration.observe({ command }, seconds);
  }

  /** Open message streams are read at each scrape from whoever holds them. */
  readSseClientsFrom(read: () => number): void {
    this.readSseClients = read;
  }

  /** The probe answers whether the dependency is reachable; it must not throw or hang. */
  probeDependency(dependency: Dependency, isUp: () => Promise<boolean>): void {
    this.dependencyProbes.set(dependency, isUp);
  }

  readDatabasePoolFrom(read: () => DatabasePoolReading): void {
    this.readDatabasePool = read;
  }

  /** This app's metrics and the process' (event loop, heap, GC, CPU), in Prometheus' text format. */
  async exposition(): Promise<Exposition> {
    const registry = Registry.merge([this.registry, processMetrics()]);
    return { contentType: registry.contentType, body: await registry.metrics() };
  }

  /** A gauge set at each scrape from what `read` finds then; undefined leaves it as it was. */
  private gaugeReadAtScrape(name: string, help: string, read: () => number | undefined): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        const value = read();
        if (value !== undefined) this.set(value);
      },
    });
  }
}
