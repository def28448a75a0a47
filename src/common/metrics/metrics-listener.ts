import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Metrics } from './metrics';
import { processMetrics } from './process-metrics';

export interface MetricsAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * `GET /metrics` on METRICS_HOST:METRICS_PORT, a plain Node listener of its own: the public port
 * never serves metrics, and a loopback address or a firewall keeps them for the scraper. It opens
 * when the application starts (Nest's bootstrap, which `listen` runs first), so a taken port
 * stops the start before the public port opens.
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server: Server | null = null;

  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { enabled, host, port } = this.config.metrics;
    if (!enabled) return;
    // From the start, so the first scrape already has the GC and event-loop history.
    processMetrics();
    const server = createServer((request, response) => void this.answer(request, response));
    await listen(server, host, port);
    this.server = server;
    this.logger.log(`Prometheus metrics at http://${host}:${this.address!.port}/metrics`);
  }

  /** Where metrics are served (the real port when METRICS_PORT=0); null when they are off. */
  get address(): MetricsAddress | null {
    const bound = this.server?.address() as AddressInfo | null | undefined;
    return bound ? { host: bound.address, port: bound.port } : null;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise((resolve) => server.close(resolve));
    // A scraper's keep-alive connection would otherwise hold the close open.
    server.closeAllConnections();
    await closed;
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.url?.split('?', 1)[0] !== '/metrics') {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: see /metrics\n');
      return;
    }
    if (request.method !== 'GET') {
      response.writeHead(405, { Allow: 'GET', 'Content-Type': 'text/plain' }).end();
      return;
    }
    try {
      const { contentType, body } = await this.metrics.exposition();
      response.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
      response.end(body);
    } catch (error) {
      this.logger.error(`Metrics could not be gathered: ${(error as Error).message}`);
      response.writeHead(500, { 'Content-Type': 'text/plain' }).end();
    }
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const refused = (error: NodeJS.ErrnoException) => reject(listenError(error, host, port));
    server.once('error', refused);
    server.listen(port, host, () => {
      server.off('error', refused);
      resolve();
    });
  });
}

/** Names the variables to change, since two instances on one machine each need their own port. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === 'EADDRINUSE') {
    return new Error(
      `METRICS_PORT ${port} is already in use on ${host} (another instance?): give each instance its own METRICS_PORT, or set METRICS_ENABLED=false`,
      { cause: error },
    );
  }
  return new Error(
    `Cannot serve metrics on METRICS_HOST=${host} METRICS_PORT=${port}: ${error.message}`,
    { cause: error },
  );
}
