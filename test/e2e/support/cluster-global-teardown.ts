import type { RedisCluster } from '../../support/redis-cluster';
import { RUNNING_CLUSTER } from './cluster-global-setup';

/** After the e2e-cluster project: every node stopped by its PID, its folder removed. */
export default async function clusterGlobalTeardown(): Promise<void> {
  await (globalThis as { [RUNNING_CLUSTER]?: RedisCluster })[RUNNING_CLUSTER]?.stop();
}
