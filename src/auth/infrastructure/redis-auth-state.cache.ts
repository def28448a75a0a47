import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { Cluster } from 'ioredis';
import type {
  AccountAccess,
  AccountState,
  AuthState,
  SessionState,
  TokenState,
} from '../domain/access-decision';
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
import { AuthStateCache } from '../domain/auth-state.cache';
import type { AccessClaims } from '../domain/tokens';
import { decodeAccount, encodeAccount, revisionOf } from './cached-account';
import type { UserAccount } from '../../users';

/**
 * Entries live a minute: long enough to spare PostgreSQL on every request, short enough that a
 * cache write lost to a network fault cannot keep a stale answer for long.
 */
export const AUTH_CACHE_TTL_SECONDS = 60;

const lua = (name: string) => join(__dirname, 'lua', `${name}.lua`);
const SET_SESSION_UNLESS_REVOKED = readLua(lua('auth-session-set-unless-revoked'));
const SET_ACCOUNT_UNLESS_NEWER = readLua(lua('auth-account-set-unless-newer'));

const { authToken: tokenKey, authSession: sessionKey, authAccount: accountKey } = redisKeys;

/**
 * `AuthState` in Redis as short strings, a user's keys in the user's cluster slot. Reads are one
 * MGET; a pipeline only ever holds one user's keys. Entries copied from PostgreSQL are
 * written with NX, and revocations overwrite, so a slow reader can never put back an "active"
 * that a revocation replaced.
 */
@Injectable()
@TranslateErrors(translateRedisError)
export class RedisAuthStateCache extends AuthStateCache<UserAccount> {
  private readonly setSessionUnlessRevoked: RedisScript<number>;
  private readonly setAccountUnlessNewer: RedisScript<number>;
  /** Until then (ms), only revocations are read from the cache: see `distrustAfterFailovers`. */
  private positivesTrustedFrom = 0;

  constructor(@InjectRedis() private readonly redis: RedisClient) {
    super();
    this.setSessionUnlessRevoked = defineRedisScript(
      redis,
      'authSetSessionUnlessRevoked',
      SET_SESSION_UNLESS_REVOKED,
    );
    this.setAccountUnlessNewer = defineRedisScript(
      redis,
      'authSetAccountUnlessNewer',
      SET_ACCOUNT_UNLESS_NEWER,
    );
    if (redis instanceof Cluster) this.distrustAfterFailovers(redis);
  }

  async read(claims: AccessClaims): Promise<Partial<AuthState<UserAccount>>> {
    const [token, session, account] = await this.redis.mget(
      tokenKey(claims.userId, claims.tokenId),
      sessionKey(claims.userId, claims.sessionId),
      accountKey(claims.userId),
    );
    const decodedAccount = account ? decodeAccount(account) : undefined;
    const parts = {
      ...(token ? { token: decodeToken(token) } : {}),
      ...(session ? { session: decodeSession(session) } : {}),
      ...(decodedAccount !== undefined ? { account: decodedAccount } : {}),
    };
    return Date.now() < this.positivesTrustedFrom ? revocationsOnly(parts) : parts;
  }

  /**
   * Redis replicates asynchronously: a replica promoted by a failover may lack the newest
   * revocations its master acknowledged, and still hold the "valid" and "active" entries they
   * replaced. So after a node leaves the cluster client's pool, for one cache lifetime (after which
   * every entry written before the change has expired), only revocations are taken from the cache
   * and the rest is read from PostgreSQL, which holds every revocation.
   */
  private distrustAfterFailovers(cluster: Cluster): void {
    const distrust = () => {
      this.positivesTrustedFrom = Date.now() + AUTH_CACHE_TTL_SECONDS * 1000;
    };
    // A node left the client's pool: it failed, or the cluster dropped it. (A manual failover
    // keeps every node, and waits for the replica to catch up before it switches.)
    cluster.on('-node', distrust);
  }

  async fill(claims: AccessClaims, parts: Partial<AuthState<UserAccount>>): Promise<void> {
    const pipeline = this.redis.pipeline();
    const ttl = AUTH_CACHE_TTL_SECONDS;
    if (parts.token)
      pipeline.set(
        tokenKey(claims.userId, claims.tokenId),
        encodeToken(parts.token),
        'EX',
        ttl,
        'NX',
      );
    if (parts.session)
      pipeline.set(
        sessionKey(claims.userId, claims.sessionId),
        encodeSession(parts.session),
        'EX',
        ttl,
        'NX',
      );
    if (parts.account !== undefined)
      pipeline.set(accountKey(claims.userId), encodeAccount(parts.account), 'EX', ttl, 'NX');
    await execOrThrow(pipeline);
  }

  async revokeToken(userId: string, tokenId: string, expiresAt: Date): Promise<void> {
    // Kept until the token expires; past that the token fails its own expiry check.
    const ttl = Math.max(1, Math.ceil((expiresAt.getTime() - Date.now()) / 1000));
    await this.redis.set(tokenKey(userId, tokenId), encodeToken('revoked'), 'EX', ttl);
  }

  async putSessions(userId: string, states: ReadonlyMap<string, SessionState>): Promise<void> {
    if (states.size === 0) return;
    const revoked = [...states].filter(([, state]) => !state.active);
    const active = [...states].filter(([, state]) => state.active);
    if (revoked.length > 0) {
      const pipeline = this.redis.pipeline();
      for (const [id, state] of revoked) {
        pipeline.set(sessionKey(userId, id), encodeSession(state), 'EX', AUTH_CACHE_TTL_SECONDS);
      }
      await execOrThrow(pipeline);
    }
    await Promise.all(
      active.map(([id, state]) =>
        this.setSessionUnlessRevoked(
          [sessionKey(userId, id)],
          [encodeSession(state), AUTH_CACHE_TTL_SECONDS],
        ),
      ),
    );
  }

  async putAccount(userId: string, account: AccountState<UserAccount>): Promise<void> {
    await this.setAccountUnlessNewer(
      [accountKey(userId)],
      [encodeAccount(account), revisionOf(account), AUTH_CACHE_TTL_SECONDS],
    );
  }
}

/** A pipeline resolves even when its commands fail; a lost revocation must not pass silently. */
async function execOrThrow(pipeline: ReturnType<RedisClient['pipeline']>): Promise<void> {
  const results = (await pipeline.exec()) ?? [];
  const failure = results.find(([error]) => error);
  if (failure) throw failure[0];
}

/** The parts that refuse access: a revoked token, an ended session, a deleted account. */
function revocationsOnly<Account extends AccountAccess>({
  token,
  session,
  account,
}: Partial<AuthState<Account>>): Partial<AuthState<Account>> {
  return {
    ...(token === 'revoked' ? { token } : {}),
    ...(session && !session.active ? { session } : {}),
    ...(account === null ? { account } : {}),
  };
}

const encodeToken = (state: TokenState) => (state === 'revoked' ? 'r' : 'v');
const decodeToken = (value: string): TokenState => (value === 'v' ? 'valid' : 'revoked');

function encodeSession(state: SessionState): string {
  return state.active ? `a|${state.userId}|${state.expiresAt.getTime()}` : 'r';
}

function decodeSession(value: string): SessionState {
  const [status, userId, expiresAt] = value.split('|');
  return status === 'a' && userId && expiresAt
    ? { active: true, userId, expiresAt: new Date(Number(expiresAt)) }
    : { active: false };
}
