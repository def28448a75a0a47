import { loggableError } from '../../common/logging';
import { Injectable, Logger } from '@nestjs/common';
import { ServiceUnavailableError } from '../../common/errors';
import type { RequestPrincipal } from '../../common/identity';
import { Clock } from '../../common/time';
import { UsersService } from '../../users';
import {
  type AuthState,
  decideAccess,
  type SessionState,
  type UserState,
} from '../domain/access-decision';
import { AuthStateCache } from '../domain/auth-state.cache';
import { userState } from './user-state';
import { SessionRepository } from '../domain/session.repository';
import { TokenBlacklist } from '../domain/token-blacklist';
import type { AccessClaims } from '../domain/tokens';

/**
 * The per-request revocation check of an access token. One Redis round trip when the cache
 * holds the answer; otherwise the missing parts are read from PostgreSQL in parallel (one more
 * round trip) and cached. Without Redis, PostgreSQL answers alone; without either, the request
 * fails with 503 — never "allowed".
 */
@Injectable()
export class AccessCheckService {
  private readonly logger = new Logger('AccessCheckService');

  constructor(
    private readonly cache: AuthStateCache,
    private readonly sessions: SessionRepository,
    private readonly blacklist: TokenBlacklist,
    private readonly users: UsersService,
    private readonly clock: Clock,
  ) {}

  async authenticate(claims: AccessClaims): Promise<RequestPrincipal> {
    const cached = await this.readCache(claims);
    const loaded = await this.loadMissing(claims, cached ?? {});
    if (cached && Object.keys(loaded).length > 0) {
      this.cache.fill(claims, loaded).catch((error: unknown) => {
        this.logger.warn({ err: loggableError(error) }, 'Could not cache the auth state');
      });
    }
    const role = decideAccess(claims, { ...cached, ...loaded } as AuthState, this.clock.now());
    return {
      userId: claims.userId,
      sessionId: claims.sessionId,
      tokenId: claims.tokenId,
      tokenExpiresAt: claims.expiresAt,
      role,
    };
  }

  /** The cached parts, or null when Redis cannot answer (then PostgreSQL answers alone). */
  private async readCache(claims: AccessClaims): Promise<Partial<AuthState> | null> {
    try {
      return await this.cache.read(claims);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableError)) throw error;
      return null;
    }
  }

  private async loadMissing(
    claims: AccessClaims,
    cached: Partial<AuthState>,
  ): Promise<Partial<AuthState>> {
    const [token, session, user] = await Promise.all([
      cached.token ?? this.loadToken(claims.tokenId),
      cached.session ?? this.loadSession(claims.sessionId),
      cached.user ?? this.loadUser(claims.userId),
    ]);
    return {
      ...(cached.token ? {} : { token }),
      ...(cached.session ? {} : { session }),
      ...(cached.user ? {} : { user }),
    };
  }

  private async loadToken(tokenId: string): Promise<AuthState['token']> {
    return (await this.blacklist.contains(tokenId)) ? 'revoked' : 'valid';
  }

  private async loadSession(sessionId: string): Promise<SessionState> {
    const session = await this.sessions.findById(sessionId);
    return session && session.revokedAt === null
      ? { active: true, userId: session.userId, expiresAt: session.expiresAt }
      : { active: false };
  }

  private async loadUser(userId: string): Promise<UserState> {
    const account = await this.users.findAccount(userId);
    return userState(account);
  }
}
