import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../../common/config';
import { clientAddressKey } from '../../common/http';
import { RateLimiter, RateLimiterFactory } from '../../common/rate-limit';

/**
 * PUBLIC_READ_LIMIT reads a minute per client address, one counter for every door: the REST
 * routes and each JSON-RPC read call, so a batch reads no more than the same client could by REST.
 */
@Injectable()
export class PublicReadLimit {
  private readonly readsPerAddress: RateLimiter | null;

  constructor(config: AppConfig, limiters: RateLimiterFactory) {
    const points = config.throttling.publicReadLimit;
    // 0 turns the limit off, and with it the Redis call every read would make.
    this.readsPerAddress =
      points === 0
        ? null
        : limiters.create(
            { name: 'public-reads', points, durationSeconds: 60, blockInMemoryWhenSpent: true },
            'Too many reads from this address. Please try again later.',
          );
  }

  /** Counts one read against the caller's address. */
  async count(request: FastifyRequest): Promise<void> {
    await this.readsPerAddress?.consume(clientAddressKey(request));
  }
}
