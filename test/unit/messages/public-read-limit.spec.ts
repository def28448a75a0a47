import type { FastifyRequest } from 'fastify';
import { loadConfig } from '../../../src/common/config';
import { TooManyRequestsError } from '../../../src/common/errors';
import { PublicReadLimit } from '../../../src/messages';
import { InMemoryRateLimiterFactory } from '../fakes/in-memory-rate-limiter.factory';

const from = (ip: string) => ({ ip }) as FastifyRequest;

function readLimit(points: string): {
  limit: PublicReadLimit;
  limiters: InMemoryRateLimiterFactory;
} {
  const limiters = new InMemoryRateLimiterFactory();
  const config = loadConfig({ PUBLIC_READ_LIMIT: points });
  return { limit: new PublicReadLimit(config, limiters), limiters };
}

describe('PublicReadLimit', () => {
  it('counts reads per client address, refusing the one past PUBLIC_READ_LIMIT', async () => {
    const { limit } = readLimit('2');
    await limit.count(from('203.0.113.1'));
    await limit.count(from('203.0.113.1'));
    await expect(limit.count(from('203.0.113.1'))).rejects.toBeInstanceOf(TooManyRequestsError);
    await expect(limit.count(from('203.0.113.2'))).resolves.toBeUndefined();
  });

  it('has its limiter refuse a spent key from memory, sparing the storage call', () => {
    const { limiters } = readLimit('600');
    expect(limiters.limiters.size).toBe(1);
    const [rule] = [...limiters.limiters.values()].map((limiter) => limiter.rule);
    expect(rule).toEqual({
      name: 'public-reads',
      points: 600,
      durationSeconds: 60,
      blockInMemoryWhenSpent: true,
    });
  });

  it('is off with PUBLIC_READ_LIMIT=0: no counter at all', async () => {
    const { limit, limiters } = readLimit('0');
    for (let read = 0; read < 1000; read++) await limit.count(from('203.0.113.1'));
    expect(limiters.limiters.size).toBe(0);
  });
});
