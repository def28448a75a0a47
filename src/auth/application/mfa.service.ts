import { Injectable, Logger } from '@nestjs/common';
import { AuthEventLog } from '../../common/audit';
import { AppConfig } from '../../common/config';
import { bearerSecretHash, newBearerSecret } from '../../common/secrets';
import { UnitOfWork } from '../../common/database';
import { loggableError } from '../../common/logging';
import type { ClientInfo, RequestPrincipal } from '../../common/identity';
import { RateLimiter, RateLimiterFactory } from '../../common/rate-limit';
import { Clock } from '../../common/time';
import { emailAddressKey, type UserAccount, UsersService } from '../../users';
import { MfaChallengeStore } from '../domain/mfa-challenge.store';
import { MfaFactorRepository } from '../domain/mfa-factor.repository';
import {
  MfaAlreadyEnabledError,
  MfaCodeInvalidError,
  MfaNotEnabledError,
  MfaSetupRequiredError,
  MfaTokenInvalidError,
} from '../domain/mfa.errors';
import { SecretCipher, SecretKeyUnavailableError } from '../domain/secret-cipher';
import type { SecondFactorProof, TotpFactor } from '../domain/totp-factor';
import { LoginThrottle } from './login-throttle';
import { newRecoveryCodes, normalizeRecoveryCode, recoveryCodeHash } from './recovery-codes';
import { SessionRevoker } from './session-revoker';
import { matchingTotpStep, newTotpSecret, type TotpEnrollment, totpEnrollment } from './totp-codes';

/** How long the second step of a login may wait, and how many codes it may try. */
export const MFA_TOKEN_TTL_SECONDS = 300;
export const MFA_TOKEN_MAX_ATTEMPTS = 5;

export interface SecondFactorRequired {
  readonly mfaToken: string;
  readonly expiresIn: number;
}

/**
 * The TOTP second factor: setting it up, turning it off, recovery codes, and the second step of a
 * login. Each code is accepted once: the step it was made for, and every earlier one, are spent.
 */
@Injectable()
export class MfaService {
  private readonly logger = new Logger('MfaService');
  /** Wrong codes of a signed-in caller (enable, disable, new recovery codes). */
  private readonly codeChecks: RateLimiter;

  constructor(
    private readonly users: UsersService,
    private readonly factors: MfaFactorRepository,
    private readonly challenges: MfaChallengeStore,
    private readonly cipher: SecretCipher,
    private readonly sessions: SessionRevoker,
    private readonly loginThrottle: LoginThrottle,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    config: AppConfig,
    rateLimiters: RateLimiterFactory,
    private readonly authEvents: AuthEventLog,
  ) {
    // A stolen access token must not buy unlimited guesses at the caller's codes.
    this.codeChecks = rateLimiters.create(
      {
        name: 'mfa-code-checks',
        points: config.throttling.loginMaxFailures,
        durationSeconds: config.throttling.loginFailureWindowSeconds,
      },
      'Too many wrong two-factor codes. Please try again later.',
    );
  }

  /** A new secret, not active until `enable` sees a code made from it; replaces an unconfirmed one. */
  async setup(
    caller: RequestPrincipal,
    password: string,
    client: ClientInfo,
  ): Promise<TotpEnrollment> {
    const account = await this.users.getAccount(caller.userId);
    if (account.mfaEnabled) throw new MfaAlreadyEnabledError();
    await this.users.confirmPassword(account.id, password);
    const secret = newTotpSecret();
    const stored = await this.factors.savePending({
      userId: account.id,
      secret: this.cipher.seal(secret, account.id),
      enabledAt: null,
      lastUsedStep: null,
      createdAt: this.clock.now(),
    });
    if (!stored) throw new MfaAlreadyEnabledError();
    await this.authEvents.record('mfa.setup_started', client, { userId: account.id });
    return totpEnrollment(secret, account.email);
  }

  /**
   * The first code proves the app holds the secret: the factor, the account's flag and a first set
   * of recovery codes are stored together, and every other session of the caller ends.
   */
  async enable(caller: RequestPrincipal, code: string, client: ClientInfo): Promise<string[]> {
    const factor = await this.factors.findByUser(caller.userId);
    if (factor?.enabledAt) throw new MfaAlreadyEnabledError();
    if (!factor) throw new MfaSetupRequiredError();
    await this.codeChecks.consume(caller.userId);
    const step = await this.matchingStep(factor, code);
    if (step === null) throw new MfaCodeInvalidError();
    const recoveryCodes = newRecoveryCodes();
    await this.users.enableSecondFactor(caller.userId, async () => {
      // A newer setup or a racing enable changed the row since it was read.
      if (!(await this.factors.confirm(caller.userId, factor.secret, step, this.clock.now()))) {
        throw new MfaCodeInvalidError();
      }
      await this.storeRecoveryCodes(caller.userId, recoveryCodes);
      const ended = await this.sessions.endAllOf(caller.userId, 'mfa_enabled', caller.sessionId);
      await this.authEvents.record('mfa.enabled', client, {
        userId: caller.userId,
        revokedSessions: ended.length,
      });
    });
    await this.afterCommit('clear the wrong-code count', () =>
      this.codeChecks.reset(caller.userId),
    );
    return recoveryCodes;
  }

  /** With the password and a code (or a recovery code); every other session of the caller ends. */
  async disable(
    caller: RequestPrincipal,
    password: string,
    code: string,
    client: ClientInfo,
  ): Promise<void> {
    const factor = await this.enabledFactorOf(caller.userId);
    await this.users.confirmPassword(caller.userId, password);
    await this.codeChecks.consume(caller.userId);
    const proof = normalizeRecoveryCode(code) ? { recoveryCode: code } : { code };
    // The code is spent in the same transaction: a failure after it leaves it unspent.
    await this.users.disableSecondFactor(caller.userId, async () => {
      if (!(await this.accept(factor, proof, client))) throw new MfaCodeInvalidError();
      await this.factors.delete(caller.userId);
      const ended = await this.sessions.endAllOf(caller.userId, 'mfa_disabled', caller.sessionId);
      await this.authEvents.record('mfa.disabled', client, {
        userId: caller.userId,
        revokedSessions: ended.length,
      });
    });
    await this.afterCommit('clear the wrong-code count', () =>
      this.codeChecks.reset(caller.userId),
    );
  }

  /** A new set of recovery codes for a current TOTP code; the old set stops working. */
  async regenerateRecoveryCodes(
    caller: RequestPrincipal,
    code: string,
    client: ClientInfo,
  ): Promise<string[]> {
    const factor = await this.enabledFactorOf(caller.userId);
    await this.codeChecks.consume(caller.userId);
    const recoveryCodes = newRecoveryCodes();
    // One transaction: the step's row lock orders racing calls, and the old set is never gone
    // without the new one stored.
    await this.unitOfWork.run(async () => {
      if (!(await this.accept(factor, { code }, client))) throw new MfaCodeInvalidError();
      await this.storeRecoveryCodes(caller.userId, recoveryCodes);
    });
    await this.afterCommit('clear the wrong-code count', () =>
      this.codeChecks.reset(caller.userId),
    );
    await this.authEvents.record('mfa.recovery_codes_regenerated', client, {
      userId: caller.userId,
    });
    return recoveryCodes;
  }

  /** An admin removes a user's second factor; every session of the user ends with it. */
  async reset(admin: RequestPrincipal, userId: string, client: ClientInfo): Promise<UserAccount> {
    return this.users.resetSecondFactor(userId, async (target) => {
      await this.factors.delete(target.id);
      await this.authEvents.record('mfa.reset', client, {
        userId: target.id,
        actorId: admin.userId,
      });
    });
  }

  /** After the right password of an account with a second factor: the token of the second step. */
  async challenge(account: UserAccount, client: ClientInfo): Promise<SecondFactorRequired> {
    const mfaToken = newBearerSecret();
    await this.challenges.issue(
      bearerSecretHash(mfaToken),
      {
        userId: account.id,
        emailKey: emailAddressKey(account.email),
        tokensValidAfter: account.tokensValidAfter,
      },
      MFA_TOKEN_TTL_SECONDS,
    );
    await this.authEvents.record('login.mfa_required', client, { userId: account.id });
    return { mfaToken, expiresIn: MFA_TOKEN_TTL_SECONDS };
  }

  /**
   * The second step of a login: the account it opens, provided the token is alive, the proof is
   * right, and nothing changed since the password was checked (a new password, a disable).
   * A wrong proof counts against the token and the email; the token is used up by one success.
   */
  async completeChallenge(
    mfaToken: string,
    proof: SecondFactorProof,
    client: ClientInfo,
  ): Promise<UserAccount> {
    const key = bearerSecretHash(mfaToken);
    const challenge = await this.challenges.claimAttempt(key, MFA_TOKEN_MAX_ATTEMPTS);
    if (!challenge) throw new MfaTokenInvalidError();
    // Bound to the password check that made it: a change since voids it before any code is spent.
    const account = await this.users.findAccount(challenge.userId);
    const unchanged =
      account !== null &&
      account.disabledAt === null &&
      account.mfaEnabled &&
      account.tokensValidAfter.getTime() === challenge.tokensValidAfter.getTime();
    if (!unchanged) throw new MfaTokenInvalidError();
    const factor = await this.factors.findByUser(challenge.userId);
    if (!factor?.enabledAt || !(await this.accept(factor, proof, client))) {
      await this.loginThrottle.countWrongCode(challenge.emailKey);
      await this.authEvents.recordRefusal('login.failed', client, {
        userId: challenge.userId,
        reason: 'mfa_code_invalid',
      });
      throw new MfaCodeInvalidError();
    }
    if (!(await this.challenges.consume(key))) throw new MfaTokenInvalidError();
    await this.afterCommit('clear the email’s failed logins', () =>
      this.loginThrottle.completed(challenge.emailKey),
    );
    return account;
  }

  /**
   * Re-seals every secret sealed under an older key with MFA_ENCRYPTION_KEY (after a key change,
   * while the old key is still in MFA_PREVIOUS_ENCRYPTION_KEYS). Returns how many it re-sealed;
   * throws, after doing the rest, when some secret's key is not configured at all.
   */
  async resealSecrets(): Promise<{ resealed: number; keyId: string; complete: boolean }> {
    const keyId = this.cipher.currentKeyId;
    let resealed = 0;
    const unopenable = new Set<string>();
    let after: string | null = null;
    for (;;) {
      const batch = await this.factors.findSealedUnderOtherKeys(keyId, after, 100);
      if (batch.length === 0) break;
      for (const factor of batch) {
        try {
          const secret = this.cipher.open(factor.secret, factor.userId);
          const sealed = this.cipher.seal(secret, factor.userId);
          if (await this.factors.reseal(factor.userId, factor.secret, sealed)) resealed += 1;
        } catch (error) {
          if (!(error instanceof SecretKeyUnavailableError)) throw error;
          unopenable.add(error.keyId);
        }
      }
      after = batch[batch.length - 1].userId;
    }
    if (unopenable.size > 0) {
      throw new SecretKeyUnavailableError([...unopenable].join(', '));
    }
    // An instance still on the old key may have sealed a new setup behind the scan.
    const left = await this.factors.findSealedUnderOtherKeys(keyId, null, 1);
    return { resealed, keyId, complete: left.length === 0 };
  }

  /**
   * Housekeeping after a change has committed: failing it must not answer an error for what is
   * done (the user would never see the recovery codes it made, say); it is logged instead.
   */
  private async afterCommit(what: string, run: () => Promise<void>): Promise<void> {
    await run().catch((error: unknown) => {
      this.logger.warn({ err: loggableError(error) }, `Could not ${what} after a committed change`);
    });
  }

  private async enabledFactorOf(userId: string): Promise<TotpFactor> {
    const factor = await this.factors.findByUser(userId);
    if (!factor?.enabledAt) throw new MfaNotEnabledError();
    return factor;
  }

  /** Checks a proof and spends it: the code's step, or the recovery code. */
  private async accept(
    factor: TotpFactor,
    proof: SecondFactorProof,
    client: ClientInfo,
  ): Promise<boolean> {
    if ('code' in proof) {
      const step = await this.matchingStep(factor, proof.code);
      return step !== null && this.factors.spendStep(factor.userId, step);
    }
    const code = normalizeRecoveryCode(proof.recoveryCode);
    if (code === null) return false;
    // The code is spent and its audit row written together (in the caller's transaction if any).
    return this.unitOfWork.run(async () => {
      const spent = await this.factors.spendRecoveryCode(
        factor.userId,
        recoveryCodeHash(factor.userId, code),
        this.clock.now(),
      );
      if (spent) {
        await this.authEvents.record('mfa.recovery_code_used', client, { userId: factor.userId });
      }
      return spent;
    });
  }

  private async matchingStep(factor: TotpFactor, code: string): Promise<number | null> {
    let secret: string;
    try {
      secret = this.cipher.open(factor.secret, factor.userId);
    } catch (error) {
      // A configuration fault, not the caller's: said in the log, answered as a server error.
      this.logger.error({ userId: factor.userId }, (error as Error).message);
      throw error;
    }
    return matchingTotpStep(secret, code, this.clock.now(), factor.lastUsedStep);
  }

  private async storeRecoveryCodes(userId: string, codes: readonly string[]): Promise<void> {
    await this.factors.replaceRecoveryCodes(
      userId,
      codes.map((code) => recoveryCodeHash(userId, code)),
    );
  }
}
