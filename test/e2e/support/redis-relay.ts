import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { TEST_REDIS_URL } from './test-environment';

export interface RedisRelay {
  /** The test Redis (same db index) through the relay, for an app's REDIS_URL. */
  readonly url: string;
  /**
   * From now on, a connection that sends `text` (a key name, say) is cut before Redis sees the
   * command: to the app, Redis went away at exactly that call. `undefined` stops cutting.
   */
  cutWhenSent(text: string | undefined): void;
  close(): Promise<void>;
}

/**
 * A TCP relay in front of the shared test Redis, so one app can lose Redis at a chosen command
 * while the server itself, and every other app, carries on.
 */
export async function startRedisRelay(): Promise<RedisRelay> {
  const target = new URL(TEST_REDIS_URL);
  const sockets = new Set<Socket>();
  let trigger: string | undefined;

  const server = createServer((client) => {
    const upstream = createConnection(Number(target.port || 6379), target.hostname);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', cut);
    }
    client.on('data', (chunk: Buffer) => {
      if (trigger !== undefined && chunk.includes(trigger)) cut();
      else upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('close', cut);
    upstream.on('close', cut);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `redis://127.0.0.1:${port}${target.pathname}`,
    cutWhenSent: (text) => {
      trigger = text;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
