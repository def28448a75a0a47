import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { TranslateErrors } from '../../common/errors';
import {
  defineRedisScript,
  InjectRedis,
  readLua,
  type RedisClient,
  redisKeys,
  type RedisScript,
  translateRedisError,
} from '../../common/redis';
import { type MfaChallenge, MfaChallengeStore } from '../domain/mfa-challenge.store';

const CLAIM_ATTEMPT = readLua(join(__dirname, 'lua', 'auth-mfa-challenge-claim.lua'));

const challengeKey = redisKeys.authMfaChallenge;

/**
 * One hash per pending login, expiring with it. A Redis restart loses pending logins, which only
 * means logging in again: nothing here is a record that must survive.
 */
@Injectable()
@TranslateErrors(translateRedisError)
export class RedisMfaChallengeStore extends MfaChallengeStore {
  private readonly claimAttemptScript: RedisScript<(string | null)[] | null>;

  constructor(@InjectRedis() private readonly redis: RedisClient) {
    super();
    this.claimAttemptScript = defineRedisScript(redis, 'authMfaChallengeClaim', CLAIM_ATTEMPT);
  }

  async issue(tokenHash: string, challenge: MfaChallenge, ttlSeconds: number): Promise<void> {
    const key = challengeKey(tokenHash);
    const replies = await this.redis
      .multi()
      .hset(key, {
        userId: challenge.userId,
        emailKey: challenge.emailKey,
        tokensValidAfter: challenge.tokensValidAfter.getTime(),
        attempts: 0,
      })
      .expire(key, ttlSeconds)
      .exec();
    // A transaction reports each command's error in its reply instead of rejecting.
    const failed = replies?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  async claimAttempt(tokenHash: string, maxAttempts: number): Promise<MfaChallenge | null> {
    const fields = await this.claimAttemptScript([challengeKey(tokenHash)], [maxAttempts]);
    const [userId, emailKey, tokensValidAfter] = fields ?? [];
    if (!userId || !emailKey || !tokensValidAfter) return null;
    return { userId, emailKey, tokensValidAfter: new Date(Number(tokensValidAfter)) };
  }

  async consume(tokenHash: string): Promise<boolean> {
    return (await this.redis.del(challengeKey(tokenHash))) === 1;
  }
}
