import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../common/config/app-config';
import { loggableError } from '../../common/logging/loggable-error';
import { UnitOfWork } from '../../common/database/unit-of-work';
import type { RequestPrincipal } from '../../common/http/request-principal';
import { RateLimiter, RateLimiterFactory } from '../../common/rate-limit/rate-limiter';
import { Clock } from '../../common/time/clock';
import {
  type AccessRevocation,
  type RegistrationInput,
  type UserAccount,
  type UserLifecycleListener,
  UsersService,
} from '../../users';
import type { SessionState } from '../domain/access-decision';
import {
  InvalidCredentialsError,
  RefreshInvalidError,
  RefreshReusedError,
  SessionNotFoundError,
  UserDisabledError,
} from '../domain/auth.errors';
import { AuthStateCache } from '../domain/auth-state.cache';
import { Session, type SessionEndReason } from '../domain/session';
import { SessionRepository } from '../domain/session.repository';
import { TokenBlacklist } from '../domain/token-blacklist';
import { TokenCodec, type TokenPair } from '../domain/tokens';
import type { ClientInfo } from './client-info';
import { userState } from './user-state';
import { isUuid } from '../../common/validation/uuid';

export interface SignedIn {
  readonly user: UserAccount;
  readonly tokens: TokenPair;
}

/**
 * Sessions and tokens: sign-in, rotation with reuse detection, logout and revocation.
 * Every revocation is written to PostgreSQL and to the cache inside one transaction, so it
 * takes effect at once on every instance, or not at all.
 */
@Injectable()
export class AuthService implements OnModuleInit, UserLifecycleListener {
  private readonly logger = new Logger('AuthEvents');
  private readonly loginFailures: RateLimiter;

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionRepository,
    private readonly blacklist: TokenBlacklist,
    private readonly cache: AuthStateCache,
    private readonly tokens: TokenCodec,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    rateLimiters: RateLimiterFactory,
  ) {
    this.loginFailures = rateLimiters.create(
      {
        name: 'login-failures',
        points: config.throttling.loginMaxFailures,
        durationSeconds: config.throttling.loginFailureWindowSeconds,
      },
      'Too many failed logins for this account. Please try again later.',
    );
  }

  onModuleInit(): void {
    this.users.addLifecycleListener(this);
  }

  /** The account and its first session are stored in one transaction: neither without the other. */
  async register(input: RegistrationInput, client: ClientInfo): Promise<SignedIn> {
    let session: Session | undefined;
    const user = await this.users.register(input, async (account) => {
      session = this.newSession(account, client);
      await this.sessions.insert(session);
    });
    this.event('user.registered', { userId: user.id }, client);
    return { user, tokens: await this.sessionOpened(session!, client) };
  }

  /**
   * Checks a login. Attempts count per email (known or not) and lock it for the window once
   * too many fail; a success resets the count. A disabled account is told only after the right
   * password.
   */
  async verifyLogin(email: string, password: string, client: ClientInfo): Promise<UserAccount> {
    // Counted before the password is checked, so parallel guesses cannot all slip in before
    // the count catches up; a success resets it.
    const throttleKey = email.trim().toLowerCase();
    await this.loginFailures.consume(throttleKey);
    const account = await this.users.verifyCredentials(email, password);
    if (!account) {
      this.event('login.failed', { reason: 'invalid_credentials' }, client);
      throw new InvalidCredentialsError();
    }
    if (account.disabledAt) {
      this.event('login.failed', { reason: 'user_disabled', userId: account.id }, client);
      throw new UserDisabledError();
    }
    await this.loginFailures.reset(throttleKey);
    this.event('login.succeeded', { userId: account.id }, client);
    return account;
  }

  async login(account: UserAccount, client: ClientInfo): Promise<SignedIn> {
    return { user: account, tokens: await this.openSession(account, client) };
  }

  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenPair> {
    const claims = await this.tokens.readRefreshToken(refreshToken);
    const now = this.clock.now();
    const nextJti = randomUUID();
    const rotated = await this.sessions.rotateRefresh({
      sessionId: claims.sessionId,
      presentedJti: claims.tokenId,
      nextJti,
      now,
      expiresAt: this.sessionExpiry(now),
    });
    if (rotated && rotated.belongsTo(claims.userId)) {
      // Only the new expiry is cached here; the rotation has committed, so a cache fault must not
      // cost the client its new pair (the entry ages out within a minute anyway).
      await this.cache
        .putSessions(new Map([[rotated.id, activeState(rotated)]]))
        .catch((error: unknown) => {
          this.logger.warn({ err: loggableError(error) }, 'Could not cache a rotated session');
        });
      this.event('token.refreshed', { userId: rotated.userId, sessionId: rotated.id }, client);
      return this.tokens.issuePair({
        userId: rotated.userId,
        sessionId: rotated.id,
        refreshJti: nextJti,
      });
    }

    const session = await this.sessions.findById(claims.sessionId);
    if (!session || !session.belongsTo(claims.userId) || !session.isActive(now)) {
      throw new RefreshInvalidError();
    }
    // A signed refresh token of a live session that is not its current one was rotated away:
    // someone replays an old token, so the whole session goes.
    await this.revokeSessions(() =>
      this.sessions.revoke(session.id, 'refresh_reused', now).then(() => [session.id]),
    );
    this.event('token.refresh_reused', { userId: session.userId, sessionId: session.id }, client);
    throw new RefreshReusedError();
  }

  /** The new password ends every session (in the users module's transaction); a new one opens. */
  async changePassword(
    caller: RequestPrincipal,
    currentPassword: string,
    newPassword: string,
    client: ClientInfo,
  ): Promise<TokenPair> {
    const account = await this.users.changePassword(caller.userId, currentPassword, newPassword);
    return this.openSession(account, client);
  }

  /** Blacklists the access token until it expires and ends its session. */
  async logout(caller: RequestPrincipal, client: ClientInfo): Promise<void> {
    const now = this.clock.now();
    await this.unitOfWork.run(async () => {
      await this.blacklist.add({
        jti: caller.tokenId,
        userId: caller.userId,
        expiresAt: caller.tokenExpiresAt,
      });
      await this.sessions.revoke(caller.sessionId, 'logout', now);
      await this.cache.revokeToken(caller.tokenId, caller.tokenExpiresAt);
      await this.cache.putSessions(new Map([[caller.sessionId, { active: false }]]));
    });
    this.event('logout', { userId: caller.userId, sessionId: caller.sessionId }, client);
  }

  /** Ends every session of the caller, its own included; returns how many were ended. */
  async logoutAll(caller: RequestPrincipal, client: ClientInfo): Promise<number> {
    const now = this.clock.now();
    const ended = await this.revokeSessions(() =>
      this.sessions.revokeAllForUser(caller.userId, 'logout_all', now),
    );
    this.event('logout_all', { userId: caller.userId, revokedSessions: ended.length }, client);
    return ended.length;
  }

  async status(caller: RequestPrincipal): Promise<{ user: UserAccount; session: Session }> {
    const [user, session] = await Promise.all([
      this.users.getAccount(caller.userId),
      this.sessions.findById(caller.sessionId),
    ]);
    if (!session) throw new SessionNotFoundError();
    return { user, session };
  }

  listSessions(caller: RequestPrincipal): Promise<Session[]> {
    return this.sessions.findActiveByUser(caller.userId, this.clock.now());
  }

  /** Ends one of the caller's sessions (possibly the current one); another user's is "not found". */
  async endSession(caller: RequestPrincipal, sessionId: string, client: ClientInfo): Promise<void> {
    const now = this.clock.now();
    const session = isUuid(sessionId) ? await this.sessions.findById(sessionId) : null;
    if (!session || !session.belongsTo(caller.userId) || !session.isActive(now)) {
      throw new SessionNotFoundError();
    }
    await this.revokeSessions(() =>
      this.sessions.revoke(sessionId, 'session_ended', now).then(() => [sessionId]),
    );
    this.event('session.ended', { userId: caller.userId, sessionId }, client);
  }

  /** A new password, a disable or a deletion: every session and earlier token of the user stops. */
  async accessRevoked(revocation: AccessRevocation): Promise<void> {
    const now = this.clock.now();
    const reason: SessionEndReason = revocation.reason;
    const ended = await this.sessions.revokeAllForUser(revocation.userId, reason, now);
    await this.cache.putSessions(new Map(ended.map((id) => [id, { active: false } as const])));
    await this.cache.putUser(revocation.userId, userState(revocation.account));
  }

  async accountChanged(account: UserAccount): Promise<void> {
    await this.cache.putUser(account.id, userState(account));
  }

  /**
   * Opens a session for an account read a moment ago, provided it is still as read: a password
   * change or a disable that committed in between would otherwise be outlived by this session.
   */
  private async openSession(user: UserAccount, client: ClientInfo): Promise<TokenPair> {
    const session = this.newSession(user, client);
    await this.unitOfWork.run(async () => {
      const current = await this.users.lockAccount(user.id);
      const unchanged =
        current !== null &&
        current.disabledAt === null &&
        current.tokensValidAfter.getTime() === user.tokensValidAfter.getTime();
      if (!unchanged) throw new InvalidCredentialsError();
      await this.sessions.insert(session);
    });
    return this.sessionOpened(session, client);
  }

  private newSession(user: UserAccount, client: ClientInfo): Session {
    return Session.open({
      id: randomUUID(),
      userId: user.id,
      refreshJti: randomUUID(),
      now: this.clock.now(),
      lifetimeSeconds: this.config.jwt.refreshTtlSeconds,
      ip: client.ip,
      userAgent: client.userAgent,
    });
  }

  /** The tokens of a session just stored. */
  private sessionOpened(session: Session, client: ClientInfo): Promise<TokenPair> {
    this.event('session.opened', { userId: session.userId, sessionId: session.id }, client);
    return this.tokens.issuePair({
      userId: session.userId,
      sessionId: session.id,
      refreshJti: session.refreshJti,
    });
  }

  /** Ends sessions in PostgreSQL and in the cache together: a cache failure rolls the change back. */
  private revokeSessions(revoke: () => Promise<string[]>): Promise<string[]> {
    return this.unitOfWork.run(async () => {
      const ended = await revoke();
      await this.cache.putSessions(new Map(ended.map((id) => [id, { active: false } as const])));
      return ended;
    });
  }

  private sessionExpiry(now: Date): Date {
    return new Date(now.getTime() + this.config.jwt.refreshTtlSeconds * 1000);
  }

  /** Auth events are structured log lines; the request id comes from the request context. */
  private event(event: string, fields: Record<string, unknown>, client: ClientInfo): void {
    this.logger.log({ event, ...fields, ip: client.ip }, 'auth event');
  }
}

function activeState(session: Session): SessionState {
  return { active: true, userId: session.userId, expiresAt: session.expiresAt };
}
