import { loggableError } from '../../common/logging';
import { Injectable, Logger } from '@nestjs/common';
import { ServiceUnavailableError } from '../../common/errors';
import type { RequestPrincipal } from '../../common/identity';
import { Clock } from '../../common/time';
import { type UserAccount, UsersService } from '../../users';
import { type AuthState, decideAccess, type SessionState } from '../domain/access-decision';
import { AuthStateCache } from '../domain/auth-state.cache';
import { SessionRepository } from '../domain/session.repository';
import { TokenBlacklist } from '../domain/token-blacklist';
import type { AccessClaims } from '../domain/tokens';

/** A caller whose token passed the check, and its account as the check read it. */
export interface AuthenticatedCaller {
  readonly principal: RequestPrincipal;
  /** The copy that decided access: a route about the caller answers from it, with no read of its own. */
  readonly account: UserAccount;
}

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
    private readonly cache: AuthStateCache<UserAccount>,
    private readonly sessions: SessionRepository,
    private readonly blacklist: TokenBlacklist,
    private readonly users: UsersService,
    private readonly clock: Clock,
  ) {}

  async authenticate(claims: AccessClaims): Promise<AuthenticatedCaller> {
    const cached = await this.readCache(claims);
    const loaded = await this.loadMissing(claims, cached ?? {});
    if (cached && Object.keys(loaded).length > 0) {
      this.cache.fill(claims, loaded).catch((error: unknown) => {
        this.logger.warn({ err: loggableError(error) }, 'Could not cache the auth state');
      });
    }
    const account = decideAccess(
      claims,
      { ...cached, ...loaded } as AuthState<UserAccount>,
      this.clock.now(),
    );
    return {
      principal: {
        userId: claims.userId,
        sessionId: claims.sessionId,
        tokenId: claims.tokenId,
        tokenExpiresAt: claims.expiresAt,
        role: account.role,
      },
      account,
    };
  }

  /** The cached parts, or null when Redis cannot answer (then PostgreSQL answers alone). */
  private async readCache(claims: AccessClaims): Promise<Partial<AuthState<UserAccount>> | null> {
    try {
      return await this.cache.read(claims);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableError)) throw error;
      return null;
    }
  }

  private async loadMissing(
    claims: AccessClaims,
    cached: Partial<AuthState<UserAccount>>,
  ): Promise<Partial<AuthState<UserAccount>>> {
    // A cached account may be null (deleted): known, unlike a missing one.
    const [token, session, account] = await Promise.all([
      cached.token ?? this.loadToken(claims.tokenId),
      cached.session ?? this.loadSession(claims.sessionId),
      cached.account !== undefined ? cached.account : this.users.findAccount(claims.userId),
    ]);
    return {
      ...(cached.token ? {} : { token }),
      ...(cached.session ? {} : { session }),
      ...(cached.account !== undefined ? {} : { account }),
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
}
