import type { Command, Redis } from 'ioredis';
import type { Metrics } from '../metrics';

/**
 * Times each command the client sends, from `sendCommand` to its reply (queueing in an automatic
 * pipeline included), by command name: `get`, `evalsha`... This instance only: the duplicates
 * made for pub/sub, whose SUBSCRIBE lasts as long as the connection, stay out.
 */
export function timeRedisCommands(client: Redis, metrics: Metrics): void {
  const send = client.sendCommand.bind(client);
  // A command resent after a reconnection passes here again; its first send starts the clock.
  const timed = new WeakSet<Command>();
  client.sendCommand = (command, stream) => {
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
    return send(command, stream);
  };
}
