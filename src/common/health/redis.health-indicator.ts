import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Cluster } from 'ioredis';
import { InjectRedis, type RedisClient } from '../redis';
import { pingCheck } from './ping-with-timeout';

/** What `/health` says of a Redis Cluster, beside up or down. */
export interface ClusterHealth {
  /** `cluster_state` from CLUSTER INFO: `ok` when every slot is served. */
  readonly state: string;
  /** The masters the client knows (one per shard), and how many answered a PING. */
  readonly masters: number;
  readonly mastersReachable: number;
}

@Injectable()
export class RedisHealthIndicator {
  constructor(
    @InjectRedis() private readonly redis: RedisClient,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /** A server is up when it answers; a cluster when it serves every slot and each master answers. */
  pingCheck<Key extends string>(key: Key, timeoutMs: number) {
    const redis = this.redis;
    if (!(redis instanceof Cluster)) {
      return pingCheck(this.indicators, key, () => redis.ping(), timeoutMs);
    }
    let cluster: ClusterHealth | undefined;
    return pingCheck(
      this.indicators,
      key,
      async () => {
        cluster = await clusterHealth(redis);
        if (cluster.state !== 'ok') throw new Error(`cluster_state:${cluster.state}`);
        if (cluster.mastersReachable < cluster.masters) {
          throw new Error(`${cluster.masters - cluster.mastersReachable} master(s) do not answer`);
        }
      },
      timeoutMs,
      () => (cluster ? { cluster } : {}),
    );
  }
}

async function clusterHealth(cluster: Cluster): Promise<ClusterHealth> {
  const masters = cluster.nodes('master');
  const [info, answers] = await Promise.all([
    cluster.cluster('INFO') as Promise<string>,
    Promise.allSettled(masters.map((node) => node.ping())),
  ]);
  return {
    state: /^cluster_state:(\w+)/m.exec(info)?.[1] ?? 'unknown',
    masters: masters.length,
    mastersReachable: answers.filter((answer) => answer.status === 'fulfilled').length,
  };
}
