import type { Command } from 'ioredis';
import type { RedisClient } from './redis-client';
import type { Metrics } from '../metrics';

/**
 * Times each command the client sends, from `sendCommand` to its reply (queueing in an automatic
 * pipeline included), by command name: `get`, `evalsha`... This instance only: the duplicates
 * made for pub/sub, whose SUBSCRIBE lasts as long as the connection, stay out.
 */
export function timeRedisCommands(client: RedisClient, metrics: Metrics): void {
  // One server's sendCommand and a cluster's take different trailing arguments; both pass through.
  const target = client as unknown as { sendCommand: SendCommand };
  const send = target.sendCommand.bind(client);
  // A command resent after a reconnection (or a cluster redirection) passes here again; its
  // first send starts the clock.
  const timed = new WeakSet<Command>();
  target.sendCommand = (command, ...rest) => {
    if (!timed.has(command)) {
      timed.add(command);
      const started = performance.now();
      const done = () =>
        metrics.redisCommandCompleted(
          command.name.toLowerCase(),
          (performance.now() - started) / 1000,
        );
      void command.promise.then(done, done);
    }
    return send(command, ...rest);
  };
}

type SendCommand = (command: Command, ...rest: unknown[]) => unknown;
