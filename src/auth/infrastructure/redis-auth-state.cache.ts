import { Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import type { AuthState, SessionState, TokenState, UserState } from '../domain/access-decision';
import { AuthStateCache } from '../domain/auth-state.cache';
import type { AccessClaims } from '../domain/tokens';

/**
 * Entries live a minute: long enough to spare PostgreSQL on every request, short enough that a
 * cache write lost to a network fault cannot keep a stale answer for long.
 */
export const AUTH_CACHE_TTL_SECONDS = 60;

const tokenKey = (jti: string) => `auth:token:${jti}`;
const sessionKey = (id: string) => `auth:session:${id}`;
const userKey = (id: string) => `auth:user:${id}`;

/**
 * `AuthState` in Redis as short strings. Reads are one MGET. Entries copied from PostgreSQL are
 * written with NX, and revocations overwrite, so a slow reader can never put back an "active"
 * that a revocation replaced.
 */
@Injectable()
export class RedisAuthStateCache extends AuthStateCache {
  constructor(private readonly redis: Redis) {
    super();
  }

  async read(claims: AccessClaims): Promise<Partial<AuthState>> {
    const [token, session, user] = await this.redis.mget(
      tokenKey(claims.tokenId),
      sessionKey(claims.sessionId),
      userKey(claims.userId),
    );
    return {
      ...(token ? { token: decodeToken(token) } : {}),
      ...(session ? { session: decodeSession(session) } : {}),
      ...(user ? { user: decodeUser(user) } : {}),
    };
  }

  async fill(claims: AccessClaims, parts: Partial<AuthState>): Promise<void> {
    const pipeline = this.redis.pipeline();
    const ttl = AUTH_CACHE_TTL_SECONDS;
    if (parts.token)
      pipeline.set(tokenKey(claims.tokenId), encodeToken(parts.token), 'EX', ttl, 'NX');
    if (parts.session)
      pipeline.set(sessionKey(claims.sessionId), encodeSession(parts.session), 'EX', ttl, 'NX');
    if (parts.user) pipeline.set(userKey(claims.userId), encodeUser(parts.user), 'EX', ttl, 'NX');
    await execOrThrow(pipeline);
  }

  async revokeToken(tokenId: string, expiresAt: Date): Promise<void> {
    // Kept until the token expires; past that the token fails its own expiry check.
    const ttl = Math.max(1, Math.ceil((expiresAt.getTime() - Date.now()) / 1000));
    await this.redis.set(tokenKey(tokenId), encodeToken('revoked'), 'EX', ttl);
  }

  async putSessions(states: ReadonlyMap<string, SessionState>): Promise<void> {
    if (states.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [id, state] of states) {
      pipeline.set(sessionKey(id), encodeSession(state), 'EX', AUTH_CACHE_TTL_SECONDS);
    }
    await execOrThrow(pipeline);
  }

  async putUser(userId: string, state: UserState): Promise<void> {
    await this.redis.set(userKey(userId), encodeUser(state), 'EX', AUTH_CACHE_TTL_SECONDS);
  }
}

/** A pipeline resolves even when its commands fail; a lost revocation must not pass silently. */
async function execOrThrow(pipeline: ReturnType<Redis['pipeline']>): Promise<void> {
  const results = (await pipeline.exec()) ?? [];
  const failure = results.find(([error]) => error);
  if (failure) throw failure[0];
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

function encodeUser(state: UserState): string {
  return state.active ? `a|${state.role}|${state.tokensValidAfter.getTime()}` : 'x';
}

function decodeUser(value: string): UserState {
  const [status, role, tokensValidAfter] = value.split('|');
  return status === 'a' && (role === 'user' || role === 'admin') && tokensValidAfter
    ? { active: true, role, tokensValidAfter: new Date(Number(tokensValidAfter)) }
    : { active: false };
}
