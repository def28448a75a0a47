import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { TranslateErrors } from '../../common/errors';
import {
  defineRedisScript,
  readLua,
  redisKey,
  type RedisScript,
  translateRedisError,
} from '../../common/redis';
import { type MfaChallenge, MfaChallengeStore } from '../domain/mfa-challenge.store';

const RECORD_FAILURE = readLua(join(__dirname, 'lua', 'auth-mfa-challenge-fail.lua'));

const challengeKey = (tokenHash: string) => redisKey('authMfaChallenge', tokenHash);

/**
 * One hash per pending login, expiring with it. A Redis restart loses pending logins, which only
 * means logging in again: nothing here is a record that must survive.
 */
@Injectable()
@TranslateErrors(translateRedisError)
export class RedisMfaChallengeStore extends MfaChallengeStore {
  private readonly recordFailureScript: RedisScript<number>;

  constructor(private readonly redis: Redis) {
    super();
    this.recordFailureScript = defineRedisScript(redis, 'authMfaChallengeFail', RECORD_FAILURE);
  }

  async issue(tokenHash: string, challenge: MfaChallenge, ttlSeconds: number): Promise<void> {
    const key = challengeKey(tokenHash);
    const replies = await this.redis
      .multi()
      .hset(key, {
        userId: challenge.userId,
        emailKey: challenge.emailKey,
        tokensValidAfter: challenge.tokensValidAfter.getTime(),
        failures: 0,
      })
      .expire(key, ttlSeconds)
      .exec();
    // A transaction reports each command's error in its reply instead of rejecting.
    const failed = replies?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  async find(tokenHash: string): Promise<MfaChallenge | null> {
    const fields = await this.redis.hgetall(challengeKey(tokenHash));
    if (!fields.userId || !fields.emailKey || !fields.tokensValidAfter) return null;
    return {
      userId: fields.userId,
      emailKey: fields.emailKey,
      tokensValidAfter: new Date(Number(fields.tokensValidAfter)),
    };
  }

  async recordFailure(tokenHash: string, maxFailures: number): Promise<void> {
    await this.recordFailureScript([challengeKey(tokenHash)], [maxFailures]);
  }

  async consume(tokenHash: string): Promise<boolean> {
    return (await this.redis.del(challengeKey(tokenHash))) === 1;
  }
}
