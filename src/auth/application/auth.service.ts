import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AuthEventLog } from '../../common/audit';
import { AppConfig } from '../../common/config';
import { loggableError } from '../../common/logging';
import { UnitOfWork } from '../../common/database';
import type { ClientInfo, RequestPrincipal } from '../../common/identity';
import { Clock } from '../../common/time';
import {
  type AccessRevocation,
  AccountEmailService,
  type RegistrationInput,
  type UserAccount,
  type UserLifecycleListener,
  emailAddressKey,
  UsersService,
} from '../../users';
import type { SessionState } from '../domain/access-decision';
import {
  InvalidCredentialsError,
  EmailNotVerifiedError,
  RefreshInvalidError,
  RefreshReusedError,
  SessionNotFoundError,
  UserDisabledError,
} from '../domain/auth.errors';
import { AuthStateCache } from '../domain/auth-state.cache';
import { Session, type SessionEndReason, type SessionLifetime } from '../domain/session';
import { SessionRepository } from '../domain/session.repository';
import { TokenBlacklist } from '../domain/token-blacklist';
import { type RefreshClaims, TokenCodec, type TokenPair } from '../domain/tokens';
import type { SecondFactorProof } from '../domain/totp-factor';
import { LoginThrottle } from './login-throttle';
import { MfaService, type SecondFactorRequired } from './mfa.service';
import { SessionRevoker } from './session-revoker';
import { canonicalUuid } from '../../common/validation';

export interface SignedIn {
  readonly user: UserAccount;
  readonly tokens: TokenPair;
}

/** With `EMAIL_VERIFICATION=required`, a registration opens no session: no tokens. */
export interface Registered {
  readonly user: UserAccount;
  readonly tokens: TokenPair | null;
}

/**
 * Sessions and tokens: sign-in, rotation with reuse detection, logout and revocation.
 * Every revocation is written to PostgreSQL and to the cache inside one transaction, so it
 * takes effect at once on every instance, or not at all.
 */
@Injectable()
export class AuthService implements OnModuleInit, UserLifecycleListener {
  private readonly logger = new Logger('AuthService');

  constructor(
    private readonly users: UsersService,
    private readonly accountEmail: AccountEmailService,
    private readonly sessions: SessionRepository,
    private readonly blacklist: TokenBlacklist,
    private readonly cache: AuthStateCache<UserAccount>,
    private readonly tokens: TokenCodec,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly loginThrottle: LoginThrottle,
    private readonly revoker: SessionRevoker,
    private readonly mfa: MfaService,
    private readonly authEvents: AuthEventLog,
  ) {}

  private get verificationRequired(): boolean {
    return this.config.accountEmail.verification === 'required';
  }

  onModuleInit(): void {
    this.users.addLifecycleListener(this);
  }

  /**
   * The account, its verification mail and its first session are stored in one transaction:
   * none without the others. While addresses must be verified first, no session is opened.
   */
  async register(input: RegistrationInput, client: ClientInfo): Promise<Registered> {
    let session: Session | undefined;
    const user = await this.users.register(input, async (account) => {
      await this.accountEmail.sendVerificationMail(account);
      if (!this.verificationRequired) {
        session = this.newSession(account, client);
        await this.sessions.insert(session);
      }
      await this.authEvents.record('user.registered', client, { userId: account.id });
    });
    return { user, tokens: session ? await this.sessionOpened(session, client) : null };
  }

  /**
   * Checks a login's password. Attempts count per email (known or not) and lock it for the window
   * once too many fail; a completed login resets the count, so with a second factor only its
   * step does. A disabled account is told only after the right password.
   */
  async verifyLogin(email: string, password: string, client: ClientInfo): Promise<UserAccount> {
    const throttleKey = emailAddressKey(email);
    await this.loginThrottle.countAttempt(throttleKey);
    const check = await this.users.verifyCredentials(email, password);
    if (!check.opened) {
      await this.authEvents.recordRefusal('login.failed', client, {
        userId: check.refusedUserId ?? undefined,
        reason: 'invalid_credentials',
      });
      throw new InvalidCredentialsError();
    }
    const account = check.opened;
    if (account.disabledAt) {
      await this.authEvents.recordRefusal('login.failed', client, {
        userId: account.id,
        reason: 'user_disabled',
      });
      throw new UserDisabledError();
    }
    if (this.verificationRequired && !account.emailVerifiedAt) {
      await this.authEvents.recordRefusal('login.failed', client, {
        userId: account.id,
        reason: 'email_not_verified',
      });
      throw new EmailNotVerifiedError();
    }
    if (!account.mfaEnabled) await this.loginThrottle.completed(throttleKey);
    return account;
  }

  /** A session for an account whose password was right, or first its second factor's step. */
  async login(account: UserAccount, client: ClientInfo): Promise<SignedIn | SecondFactorRequired> {
    if (account.mfaEnabled) return this.mfa.challenge(account, client);
    const tokens = await this.openSession(account, client, () =>
      this.authEvents.record('login.succeeded', client, { userId: account.id }),
    );
    return { user: account, tokens };
  }

  /** The second step of a login: the `mfaToken` of the first and a code or recovery code. */
  async completeSecondFactor(
    mfaToken: string,
    proof: SecondFactorProof,
    client: ClientInfo,
  ): Promise<SignedIn> {
    const account = await this.mfa.completeChallenge(mfaToken, proof, client);
    const tokens = await this.openSession(account, client, () =>
      this.authEvents.record('login.succeeded', client, { userId: account.id, secondFactor: true }),
    );
    return { user: account, tokens };
  }

  /**
   * Rotates the session to a new refresh token. The token the last rotation replaced, presented
   * again within the reuse interval, answers that rotation's refresh token again; any other
   * rotated-away token is reuse, and ends the session.
   */
  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenPair> {
    const claims = await this.tokens.readRefreshToken(refreshToken);
    const now = this.clock.now();
    const session = await this.liveSessionOf(claims, now);
    if (session.refreshJti !== claims.tokenId) {
      return this.answerRotatedAway(session, claims.tokenId, now, client);
    }
    session.rotate(randomUUID(), now, this.sessionLifetime());
    // The rotation and its audit row commit together.
    const saved = await this.unitOfWork.run(async () => {
      if (!(await this.sessions.saveRotation(session))) return false;
      await this.authEvents.record('token.refreshed', client, {
        userId: session.userId,
        sessionId: session.id,
      });
      return true;
    });
    if (!saved) {
      // A concurrent refresh with the same token rotated first: judged against what it wrote.
      const rotated = await this.liveSessionOf(claims, now);
      return this.answerRotatedAway(rotated, claims.tokenId, now, client);
    }
    // Only the new expiry is cached here; the rotation has committed, so a cache fault must not
    // cost the client its new pair (the entry ages out within a minute anyway).
    await this.cache
      .putSessions(session.userId, new Map([[session.id, activeState(session)]]))
      .catch((error: unknown) => {
        this.logger.warn({ err: loggableError(error) }, 'Could not cache a rotated session');
      });
    return this.issuePair(session);
  }

  /** The new password ends every session (in the users module's transaction); a new one opens. */
  async changePassword(
    caller: RequestPrincipal,
    currentPassword: string,
    newPassword: string,
    client: ClientInfo,
  ): Promise<TokenPair> {
    const account = await this.users.changePassword(
      caller.userId,
      currentPassword,
      newPassword,
      client,
    );
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
      await this.cache.revokeToken(caller.userId, caller.tokenId, caller.tokenExpiresAt);
      await this.cache.putSessions(caller.userId, new Map([[caller.sessionId, { active: false }]]));
      await this.authEvents.record('logout', client, {
        userId: caller.userId,
        sessionId: caller.sessionId,
      });
    });
  }

  /** Ends every session of the caller, its own included; returns how many were ended. */
  async logoutAll(caller: RequestPrincipal, client: ClientInfo): Promise<number> {
    return this.unitOfWork.run(async () => {
      const ended = await this.revoker.endAllOf(caller.userId, 'logout_all');
      await this.authEvents.record('logout.all', client, {
        userId: caller.userId,
        revokedSessions: ended.length,
      });
      return ended.length;
    });
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
    const id = canonicalUuid(sessionId);
    const session = id ? await this.sessions.findById(id) : null;
    if (!session || !session.belongsTo(caller.userId) || !session.isActive(now)) {
      throw new SessionNotFoundError();
    }
    // The stored id names the cache entry: the path may spell it in another case.
    await this.unitOfWork.run(async () => {
      await this.revoker.endOne(session.userId, session.id, 'session_ended');
      await this.authEvents.record('session.ended', client, {
        userId: caller.userId,
        sessionId: session.id,
      });
    });
  }

  /** A new password, a disable or a deletion: every session and earlier token of the user stops. */
  async accessRevoked(revocation: AccessRevocation): Promise<void> {
    const now = this.clock.now();
    const reason: SessionEndReason = revocation.reason;
    const ended = await this.sessions.revokeAllForUser(revocation.userId, reason, now);
    await this.cache.putSessions(
      revocation.userId,
      new Map(ended.map((id) => [id, { active: false } as const])),
    );
    await this.cache.putAccount(revocation.userId, revocation.account);
  }

  /** Committed: the access check and `GET /users/me` see the change from the next request on. */
  async accountChanged(account: UserAccount): Promise<void> {
    await this.cache.putAccount(account.id, account);
  }

  /**
   * Opens a session for an account read a moment ago, provided it is still as read: a password
   * change or a disable that committed in between would otherwise be outlived by this session.
   * `within` runs in the same transaction (it records the login the session is for).
   */
  private async openSession(
    user: UserAccount,
    client: ClientInfo,
    within?: () => Promise<void>,
  ): Promise<TokenPair> {
    const session = this.newSession(user, client);
    await this.unitOfWork.run(async () => {
      const current = await this.users.lockAccount(user.id);
      const unchanged =
        current !== null &&
        current.disabledAt === null &&
        current.tokensValidAfter.getTime() === user.tokensValidAfter.getTime();
      if (!unchanged) throw new InvalidCredentialsError();
      await this.sessions.insert(session);
      await within?.();
    });
    return this.sessionOpened(session, client);
  }

  /** The session a signed refresh token names, provided it is its owner's and still alive. */
  private async liveSessionOf(claims: RefreshClaims, now: Date): Promise<Session> {
    const session = await this.sessions.findById(claims.sessionId);
    if (!session || !session.belongsTo(claims.userId) || !session.isActive(now)) {
      throw new RefreshInvalidError();
    }
    return session;
  }

  /** A signed refresh token of a live session that is no longer its current one. */
  private async answerRotatedAway(
    session: Session,
    tokenId: string,
    now: Date,
    client: ClientInfo,
  ): Promise<TokenPair> {
    const interval = this.config.jwt.refreshReuseIntervalSeconds;
    const successor = session.successorOf(tokenId, now, interval);
    if (successor) {
      await this.authEvents.record('token.refresh_repeated', client, {
        userId: session.userId,
        sessionId: session.id,
      });
      return this.issuePair(session);
    }
    // Someone replays an old token: the whole session goes.
    await this.unitOfWork.run(async () => {
      await this.revoker.endOne(session.userId, session.id, 'refresh_reused');
      await this.authEvents.record('refresh.reused', client, {
        userId: session.userId,
        sessionId: session.id,
      });
    });
    throw new RefreshReusedError();
  }

  private newSession(user: UserAccount, client: ClientInfo): Session {
    return Session.open({
      id: randomUUID(),
      userId: user.id,
      refreshJti: randomUUID(),
      now: this.clock.now(),
      lifetime: this.sessionLifetime(),
      ip: client.ip,
      userAgent: client.userAgent,
    });
  }

  /** The tokens of a session just stored. */
  private async sessionOpened(session: Session, client: ClientInfo): Promise<TokenPair> {
    await this.authEvents.record('session.opened', client, {
      userId: session.userId,
      sessionId: session.id,
    });
    return this.issuePair(session);
  }

  private issuePair(session: Session): Promise<TokenPair> {
    return this.tokens.issuePair({
      userId: session.userId,
      sessionId: session.id,
      refresh: session.refreshGrant,
    });
  }

  private sessionLifetime(): SessionLifetime {
    return {
      idleSeconds: this.config.jwt.refreshTtlSeconds,
      maxSeconds: this.config.jwt.sessionMaxLifetimeSeconds,
    };
  }
}

function activeState(session: Session): SessionState {
  return { active: true, userId: session.userId, expiresAt: session.expiresAt };
}
