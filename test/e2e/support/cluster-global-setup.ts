import { type RedisCluster, startRedisCluster } from '../../support/redis-cluster';
import { resetTestStores } from './global-setup';
import { CLUSTER_NODES_HANDOFF } from './test-environment';

/** Where globalTeardown finds the cluster: both hooks run in jest's own process. */
export const RUNNING_CLUSTER = Symbol.for('tempmessenger.e2e-cluster');

/** Before the e2e-cluster project: a Redis Cluster of its own, and the stores reset on it. */
export default async function clusterGlobalSetup(): Promise<void> {
  const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  (globalThis as { [RUNNING_CLUSTER]?: RedisCluster })[RUNNING_CLUSTER] = cluster;
  try {
    await resetTestStores(cluster.nodes.join(','));
  } catch (error) {
    await cluster.stop(); // jest runs no teardown after a failed setup
    throw error;
  }
  process.env[CLUSTER_NODES_HANDOFF] = cluster.nodes.join(',');
}
