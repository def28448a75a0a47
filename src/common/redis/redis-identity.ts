import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './redis-client';

/**
 * Where `server`, a connection to one Redis server, stands against `client`, the service's own:
 * - `same`: it reaches the very keys `client` does: the same server (told by its run id) and db,
 *   or a node of the same cluster;
 * - `cluster-node`: a node of some other cluster, not a single server;
 * - `distinct`: a single server whose keys are not `client`'s.
 * Addresses alone cannot tell: one server answers to many names.
 */
export async function compareRedisServer(
  server: Redis,
  client: RedisClient,
): Promise<'same' | 'cluster-node' | 'distinct'> {
  const serverInfo = infoFields(await server.info());
  if (serverInfo.cluster_enabled === '1') {
    if (!(client instanceof Cluster)) return 'cluster-node';
    const nodeId = String(await server.call('CLUSTER', 'MYID'));
    const nodes = String(await client.call('CLUSTER', 'NODES'));
    const known = nodes.split('\n').some((line) => line.startsWith(`${nodeId} `));
    return known ? 'same' : 'cluster-node';
  }
  if (client instanceof Cluster) return 'distinct';
  const clientInfo = infoFields(await client.info('server'));
  const sameDb = Number(server.options.db ?? 0) === Number(client.options.db ?? 0);
  return clientInfo.run_id === serverInfo.run_id && sameDb ? 'same' : 'distinct';
}

/** `field:value` lines of INFO. */
function infoFields(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split(/\r?\n/)
      .filter((line) => line.includes(':') && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]),
  );
}
