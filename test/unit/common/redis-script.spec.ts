import Redis from 'ioredis';
import { defineRedisScript } from '../../../src/common/redis';

describe('defineRedisScript', () => {
  // Defining a script sends nothing: the client never connects.
  let redis: Redis;

  beforeEach(() => {
    redis = new Redis({ lazyConnect: true });
  });

  afterEach(() => redis.disconnect());

  it('refuses a name taken by another script', () => {
    defineRedisScript(redis, 'testScript', "return 'first'");

    expect(() => defineRedisScript(redis, 'testScript', "return 'second'")).toThrow(
      'Redis script name "testScript" is taken by another script',
    );
  });

  it("refuses a name that is one of the client's commands", () => {
    expect(() => defineRedisScript(redis, 'get', "return 'mine'")).toThrow(
      'Redis script name "get" is a command of the client',
    );
  });

  it('lets a second adapter on the client register the same script', () => {
    defineRedisScript(redis, 'testScript', "return 'first'");

    expect(() => defineRedisScript(redis, 'testScript', "return 'first'")).not.toThrow();
  });

  it('keeps names apart per client', () => {
    const other = new Redis({ lazyConnect: true });
    defineRedisScript(redis, 'testScript', "return 'first'");

    expect(() => defineRedisScript(other, 'testScript', "return 'second'")).not.toThrow();
    other.disconnect();
  });
});
