import { loggableError } from '../../common/logging';
import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AuthEventLog } from '../../common/audit';
import { AppConfig } from '../../common/config';
import { UnitOfWork } from '../../common/database';
import type { ClientInfo } from '../../common/identity';
import { RateLimiter, RateLimiterFactory } from '../../common/rate-limit';
import { isoTimeCursor } from '../../common/pagination';
import { Clock } from '../../common/time';
import { normalizeEmail } from '../domain/email';
import { isWhollyHashable } from '../domain/password';
import { PasswordHasher } from '../domain/password-hasher';
import { User } from '../domain/user';
import {
  ResetTokenInvalidError,
  UserNotFoundError,
  WrongPasswordError,
} from '../domain/user.errors';
import { UserRepository } from '../domain/user.repository';
import { canonicalUuid } from '../../common/validation';
import { toAccount, type UserAccount, type UserAccountPage } from './user-account';
import type { AccessRevocation, UserLifecycleListener } from './user-lifecycle.listener';

/**
 * A login's password check: the account it opens, or, refused, the account whose password was
 * wrong (null for an email no account has), for the audit trail; the caller tells neither apart.
 */
export type CredentialCheck =
  | { readonly opened: UserAccount }
  | { readonly opened: null; readonly refusedUserId: string | null };

export interface RegistrationInput {
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly password: string;
}

/** The users module's facade: every use case on accounts, and the only way in for other modules. */
@Injectable()
export class UsersService {
  private readonly logger = new Logger('UsersService');
  private readonly listeners: UserLifecycleListener[] = [];
  private readonly passwordFailures: RateLimiter;

  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    config: AppConfig,
    rateLimiters: RateLimiterFactory,
    private readonly authEvents: AuthEventLog,
  ) {
    // A stolen access token must not buy unlimited guesses at the current password.
    this.passwordFailures = rateLimiters.create(
      {
        name: 'password-checks',
        points: config.throttling.loginMaxFailures,
        durationSeconds: config.throttling.loginFailureWindowSeconds,
      },
      'Too many wrong passwords. Please try again later.',
    );
  }

  addLifecycleListener(listener: UserLifecycleListener): void {
    this.listeners.push(listener);
  }

  /**
   * Creates the account. `within` runs in the same transaction, after the insert, so what the
   * caller opens for the new account (its first session) exists if and only if the account does.
   */
  async register(
    input: RegistrationInput,
    within?: (account: UserAccount) => Promise<void>,
  ): Promise<UserAccount> {
    const user = User.register({
      id: randomUUID(),
      email: normalizeEmail(input.email),
      firstName: input.firstName,
      lastName: input.lastName,
      passwordHash: await this.hasher.hash(input.password),
      now: this.clock.now(),
    });
    const account = toAccount(user);
    await this.unitOfWork.run(async () => {
      await this.users.insert(user);
      await within?.(account);
    });
    return account;
  }

  /**
   * Whether these credentials open an account. Spends one bcrypt comparison whatever the
   * outcome, so the answer's timing does not tell whether the email is registered.
   */
  async verifyCredentials(email: string, password: string): Promise<CredentialCheck> {
    const user = await this.findByEmailText(email);
    // Nor can a NUL be in a password.
    if (!user || !isWhollyHashable(password)) {
      await this.hasher.verifyAgainstDummy(password);
      return { opened: null, refusedUserId: user?.id ?? null };
    }
    return (await this.hasher.verify(password, user.passwordHash))
      ? { opened: toAccount(user) }
      : { opened: null, refusedUserId: user.id };
  }

  async findAccountByEmail(email: string): Promise<UserAccount | null> {
    const user = await this.findByEmailText(email);
    return user ? toAccount(user) : null;
  }

  async findAccount(id: string): Promise<UserAccount | null> {
    const user = await this.users.findById(id);
    return user ? toAccount(user) : null;
  }

  async getAccount(id: string): Promise<UserAccount> {
    return toAccount(await this.load(id));
  }

  /**
   * For a caller that opens something on the strength of an account it read earlier (a session
   * after a login): inside its unit of work, the account as it is now, and it stays so until commit.
   */
  async lockAccount(id: string): Promise<UserAccount | null> {
    const user = await this.users.lockById(id, 'share');
    return user ? toAccount(user) : null;
  }

  async updateProfile(
    id: string,
    names: { firstName?: string; lastName?: string },
  ): Promise<UserAccount> {
    if (names.firstName === undefined && names.lastName === undefined) return this.getAccount(id);
    return this.change(id, (user) => user.rename(names, this.clock.now()));
  }

  /** Ends every earlier session of the user in the same transaction as the new hash. */
  async changePassword(
    id: string,
    currentPassword: string,
    newPassword: string,
    client: ClientInfo,
  ): Promise<UserAccount> {
    const checked = await this.checkPassword(id, currentPassword);
    const newHash = await this.hasher.hash(newPassword);
    return this.change(id, async (user) => {
      if (user.passwordHash !== checked.passwordHash) throw new WrongPasswordError();
      user.changePassword(newHash, this.clock.now());
      await this.notifyAccessRevoked({
        userId: user.id,
        reason: 'password_change',
        account: toAccount(user),
      });
      await this.authEvents.record('password.changed', client, { userId: user.id });
    });
  }

  /**
   * For a caller that proved access to mail at `address` (a used verification link): the address
   * counts as verified, if it is still the account's. Null when it is not.
   */
  async verifyEmail(id: string, address: string): Promise<UserAccount | null> {
    let verified = false;
    const account = await this.change(id, (user) => {
      verified = user.verifyEmail(address, this.clock.now());
    });
    return verified ? account : null;
  }

  /**
   * A new password without the old one, for a caller that proved access to mail at `address`:
   * ends every session like a password change, and the address counts as verified. `within`
   * runs under the row lock, in the same transaction, before anything is revoked (it uses the
   * reset token). `ResetTokenInvalidError` when `address` is no longer the account's.
   */
  async resetPassword(
    id: string,
    address: string,
    newPassword: string,
    client: ClientInfo,
    within: (account: UserAccount) => Promise<void>,
  ): Promise<UserAccount> {
    const newHash = await this.hasher.hash(newPassword);
    return this.change(id, async (user) => {
      const now = this.clock.now();
      if (!user.verifyEmail(address, now)) throw new ResetTokenInvalidError();
      await within(toAccount(user));
      user.changePassword(newHash, now);
      await this.notifyAccessRevoked({
        userId: user.id,
        reason: 'password_reset',
        account: toAccount(user),
      });
      await this.authEvents.record('password.reset', client, { userId: user.id });
    });
  }

  /** Confirmed from the new address, which counts as verified; `EmailTakenError` if it is taken. */
  changeEmail(id: string, newAddress: string, client: ClientInfo): Promise<UserAccount> {
    return this.change(id, async (user) => {
      user.changeEmail(normalizeEmail(newAddress), this.clock.now());
      await this.authEvents.record('email.changed', client, { userId: user.id });
    });
  }

  /**
   * The second factor is on from now. `within` runs under the row lock, in the same transaction
   * (it stores the factor's state), so the flag and the factor change together or not at all.
   */
  enableSecondFactor(
    id: string,
    within: (account: UserAccount) => Promise<void>,
  ): Promise<UserAccount> {
    return this.change(id, async (user) => {
      user.enableSecondFactor(this.clock.now());
      await within(toAccount(user));
    });
  }

  /** The second factor is off from now; `within` as in `enableSecondFactor`. */
  disableSecondFactor(
    id: string,
    within: (account: UserAccount) => Promise<void>,
  ): Promise<UserAccount> {
    return this.change(id, async (user) => {
      user.disableSecondFactor(this.clock.now());
      await within(toAccount(user));
    });
  }

  /**
   * An admin takes the second factor away (a lost device, or an account in the wrong hands): every
   * session and token of the user ends in the same transaction. `within` removes the factor.
   */
  resetSecondFactor(
    id: string,
    within: (account: UserAccount) => Promise<void>,
  ): Promise<UserAccount> {
    return this.change(id, async (user) => {
      user.resetSecondFactor(this.clock.now());
      await within(toAccount(user));
      await this.notifyAccessRevoked({
        userId: user.id,
        reason: 'mfa_reset',
        account: toAccount(user),
      });
    });
  }

  /** Checks the user's password, counted against the wrong-password limit; the account if right. */
  async confirmPassword(id: string, password: string): Promise<UserAccount> {
    return toAccount(await this.checkPassword(id, password));
  }

  async deleteAccount(id: string, password: string, client: ClientInfo): Promise<void> {
    const checked = await this.checkPassword(id, password);
    await this.unitOfWork.run(async () => {
      const user = await this.users.lockById(id, 'update');
      if (!user) throw new UserNotFoundError();
      if (user.passwordHash !== checked.passwordHash) throw new WrongPasswordError();
      // What other modules keep goes first: a store that cannot answer then leaves everything,
      // and the caller's tokens, as they were.
      for (const listener of this.listeners) await listener.userDeleted?.(id);
      // Revoked before the row goes: deleting it takes the sessions with it.
      await this.notifyAccessRevoked({ userId: id, reason: 'user_deleted', account: null });
      await this.users.delete(id);
      // The row outlives the account: the trail keeps what happened to it.
      await this.authEvents.record('user.deleted', client, { userId: id });
    });
  }

  async listAccounts(limit: number, cursor: string | undefined): Promise<UserAccountPage> {
    const page = await this.users.listPage(limit, cursor ? isoTimeCursor.decode(cursor) : null);
    return {
      items: page.items.map(toAccount),
      nextCursor: page.next ? isoTimeCursor.encode(page.next) : null,
    };
  }

  /** By the admin `adminId`: disabling ends every session of the user at once. */
  disable(id: string, adminId: string, client: ClientInfo): Promise<UserAccount> {
    return this.change(id, async (user) => {
      if (user.isDisabled) return;
      user.disable(this.clock.now());
      // The stored id, whatever case the caller spelled it in: it names the cache entries.
      await this.notifyAccessRevoked({
        userId: user.id,
        reason: 'user_disabled',
        account: toAccount(user),
      });
      await this.authEvents.record('user.disabled', client, { userId: user.id, actorId: adminId });
    });
  }

  /** By the admin `adminId`. */
  enable(id: string, adminId: string, client: ClientInfo): Promise<UserAccount> {
    return this.change(id, async (user) => {
      if (!user.isDisabled) return;
      user.enable(this.clock.now());
      await this.authEvents.record('user.enabled', client, { userId: user.id, actorId: adminId });
    });
  }

  /** Makes an existing user an admin (from the command line). */
  async promote(email: string): Promise<UserAccount> {
    const found = await this.users.findByEmail(normalizeEmail(email));
    if (!found) throw new UserNotFoundError();
    return this.change(found.id, (user) => user.promote(this.clock.now()));
  }

  /** The user a caller's email text names; a NUL is in no stored email (PostgreSQL refuses it). */
  private async findByEmailText(email: string): Promise<User | null> {
    return email.includes('\u0000') ? null : this.users.findByEmail(normalizeEmail(email));
  }

  /** An id of the wrong shape names no user: not found, like an unknown one. */
  private async load(id: string): Promise<User> {
    const key = canonicalUuid(id);
    const user = key ? await this.users.findById(key) : null;
    if (!user) throw new UserNotFoundError();
    return user;
  }

  /**
   * Read-modify-write of one user under its row lock, so concurrent changes (a rename and a
   * disable, say) never overwrite each other. Listeners hear of a change once it is committed,
   * before the caller answers.
   */
  private async change(
    id: string,
    apply: (user: User) => void | Promise<void>,
  ): Promise<UserAccount> {
    const key = canonicalUuid(id);
    if (!key) throw new UserNotFoundError();
    return this.unitOfWork.run(async () => {
      const user = await this.users.lockById(key, 'update');
      if (!user) throw new UserNotFoundError();
      const revision = user.revision;
      await apply(user);
      if (user.revision === revision) return toAccount(user);
      await this.users.update(user);
      const account = toAccount(user);
      this.unitOfWork.afterCommit(() => this.notifyAccountChanged(account));
      return account;
    });
  }

  /** bcrypt work outside any transaction; the caller re-checks the hash under the lock. */
  private async checkPassword(id: string, password: string): Promise<User> {
    await this.passwordFailures.consume(id);
    const user = await this.load(id);
    const matches =
      isWhollyHashable(password) && (await this.hasher.verify(password, user.passwordHash));
    if (!matches) throw new WrongPasswordError();
    await this.passwordFailures.reset(id);
    return user;
  }

  private async notifyAccessRevoked(revocation: AccessRevocation): Promise<void> {
    for (const listener of this.listeners) await listener.accessRevoked?.(revocation);
  }

  private async notifyAccountChanged(account: UserAccount): Promise<void> {
    for (const listener of this.listeners) {
      await this.runCommittedHook('accountChanged', () => listener.accountChanged?.(account));
    }
  }

  /** The change is committed already; a listener that fails is logged, not turned into an error. */
  private async runCommittedHook(
    hook: string,
    run: () => Promise<void> | undefined,
  ): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.logger.error(
        { err: loggableError(error), hook },
        'A user lifecycle listener failed after commit',
      );
    }
  }
}
