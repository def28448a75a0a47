import { ServiceUnavailableError } from '../../../src/common/errors';
import { translateRedisError } from '../../../src/common/redis';

describe('translateRedisError', () => {
  it.each([
    [
      'a command without a connection',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    ],
    ['a command timeout', new Error('Command timed out')],
    ['a closed connection', new Error('Connection is closed.')],
    ['a client that is not ready', new Error('Redis connection is not ready')],
    [
      'a command out of retries',
      Object.assign(new Error('Reached the max retries per request limit'), {
        name: 'MaxRetriesPerRequestError',
      }),
    ],
    [
      "a cluster's slot without a master (mid-failover)",
      new Error(
        'Too many Cluster redirections. Last error: ReplyError: MOVED 15905 127.0.0.1:7003',
      ),
    ],
    ['a cluster that is down', new Error('CLUSTERDOWN The cluster is down')],
    [
      'an automatic pipeline a slot move split over two nodes (mid-failover)',
      new Error('All keys in the pipeline should belong to the same slots allocation group'),
    ],
    [
      "a sharded subscription while the slot's shard has no subscriber (mid-failover)",
      new Error('No sharded subscriber for slot: 15905'),
    ],
    [
      'a cluster client that is not ready',
      new Error("Cluster isn't ready and enableOfflineQueue options is false"),
    ],
    [
      'a cluster none of whose nodes answers',
      Object.assign(new Error('Failed to refresh slots cache.'), { name: 'ClusterAllFailedError' }),
    ],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    [
      'a cause chain',
      new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'ETIMEDOUT' }) }),
    ],
  ])('turns %s into ServiceUnavailableError, keeping it as the cause', (_case, error) => {
    const translated = translateRedisError(error);
    expect(translated).toBeInstanceOf(ServiceUnavailableError);
    expect((translated as Error).cause).toBe(error);
  });

  it.each([
    ['a programming error', new TypeError('cannot read properties of undefined')],
    ['a script error', new Error('ERR Error running script (call to f_0123): bad argument')],
    [
      'a wrong type',
      new Error('WRONGTYPE Operation against a key holding the wrong kind of value'),
    ],
    [
      'a PostgreSQL outage, which is not its driver’s',
      Object.assign(new Error('terminating connection'), { code: '57P01' }),
    ],
    ['nothing', undefined],
  ])('lets %s through unchanged', (_case, error) => {
    expect(translateRedisError(error)).toBe(error);
  });
});
