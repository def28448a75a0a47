import { loggableError } from '../../common/logging/loggable-error';
import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { UnitOfWork } from '../../common/database/unit-of-work';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { Clock } from '../../common/time/clock';
import { normalizeEmail } from '../domain/email';
import { PasswordHasher } from '../domain/password-hasher';
import { User } from '../domain/user';
import { UserNotFoundError, WrongPasswordError } from '../domain/user.errors';
import { UserRepository } from '../domain/user.repository';
import { isUuid } from '../../common/validation/uuid';
import { toAccount, type UserAccount, type UserAccountPage } from './user-account';
import type { AccessRevocation, UserLifecycleListener } from './user-lifecycle.listener';

/** bcrypt reads at most 72 bytes; a longer password must never match by its prefix. */
const MAX_PASSWORD_BYTES = 72;

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

  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  addLifecycleListener(listener: UserLifecycleListener): void {
    this.listeners.push(listener);
  }

  async register(input: RegistrationInput): Promise<UserAccount> {
    const user = User.register({
      id: randomUUID(),
      email: normalizeEmail(input.email),
      firstName: input.firstName,
      lastName: input.lastName,
      passwordHash: await this.hasher.hash(input.password),
      now: this.clock.now(),
    });
    await this.users.insert(user);
    return toAccount(user);
  }

  /**
   * The account these credentials open, or null. Spends one bcrypt comparison whatever the
   * outcome, so the answer's timing does not tell whether the email is registered.
   */
  async verifyCredentials(email: string, password: string): Promise<UserAccount | null> {
    const user = await this.users.findByEmail(normalizeEmail(email));
    const usable =
      !password.includes('\u0000') && Buffer.byteLength(password) <= MAX_PASSWORD_BYTES;
    if (!user || !usable) return this.hasher.verifyAgainstDummy(password).then(() => null);
    return (await this.hasher.verify(password, user.passwordHash)) ? toAccount(user) : null;
  }

  async findAccount(id: string): Promise<UserAccount | null> {
    const user = await this.users.findById(id);
    return user ? toAccount(user) : null;
  }

  async getAccount(id: string): Promise<UserAccount> {
    return toAccount(await this.load(id));
  }

  async updateProfile(
    id: string,
    names: { firstName?: string; lastName?: string },
  ): Promise<UserAccount> {
    const user = await this.load(id);
    if (names.firstName === undefined && names.lastName === undefined) return toAccount(user);
    user.rename(names, this.clock.now());
    await this.users.update(user);
    return toAccount(user);
  }

  /** Ends every earlier session of the user in the same transaction as the new hash. */
  async changePassword(
    id: string,
    currentPassword: string,
    newPassword: string,
  ): Promise<UserAccount> {
    const user = await this.load(id);
    if (!(await this.hasher.verify(currentPassword, user.passwordHash)))
      throw new WrongPasswordError();
    const newHash = await this.hasher.hash(newPassword);
    const now = this.clock.now();
    await this.unitOfWork.run(async () => {
      user.changePassword(newHash, now);
      await this.users.update(user);
      await this.notifyAccessRevoked({
        userId: id,
        reason: 'password_change',
        account: toAccount(user),
      });
    });
    this.logger.log({ event: 'password.changed', userId: user.id }, 'auth event');
    return toAccount(user);
  }

  async deleteAccount(id: string, password: string): Promise<void> {
    const user = await this.load(id);
    if (!(await this.hasher.verify(password, user.passwordHash))) throw new WrongPasswordError();
    await this.unitOfWork.run(async () => {
      if (!(await this.users.delete(id))) throw new UserNotFoundError();
      await this.notifyAccessRevoked({ userId: id, reason: 'user_deleted', account: null });
    });
    for (const listener of this.listeners) {
      await this.afterCommit('userDeleted', () => listener.userDeleted?.(id));
    }
    this.logger.log({ event: 'account.deleted', userId: id }, 'auth event');
  }

  async listAccounts(limit: number, cursor: string | undefined): Promise<UserAccountPage> {
    const page = await this.users.listPage(limit, cursor ? decodeCursor(cursor) : null);
    return {
      items: page.items.map(toAccount),
      nextCursor: page.nextCursor ? encodeCursor(page.nextCursor) : null,
    };
  }

  /** Disabling ends every session of the user at once. */
  async disable(id: string): Promise<UserAccount> {
    const user = await this.load(id);
    if (!user.isDisabled) {
      const now = this.clock.now();
      await this.unitOfWork.run(async () => {
        user.disable(now);
        await this.users.update(user);
        await this.notifyAccessRevoked({
          userId: id,
          reason: 'user_disabled',
          account: toAccount(user),
        });
      });
      this.logger.log({ event: 'account.disabled', userId: user.id }, 'auth event');
    }
    return toAccount(user);
  }

  async enable(id: string): Promise<UserAccount> {
    const user = await this.load(id);
    if (user.isDisabled) {
      user.enable(this.clock.now());
      await this.users.update(user);
      await this.notifyAccountChanged(toAccount(user));
      this.logger.log({ event: 'account.enabled', userId: user.id }, 'auth event');
    }
    return toAccount(user);
  }

  /** Makes an existing user an admin (from the command line). */
  async promote(email: string): Promise<UserAccount> {
    const user = await this.users.findByEmail(normalizeEmail(email));
    if (!user) throw new UserNotFoundError();
    user.promote(this.clock.now());
    await this.users.update(user);
    await this.notifyAccountChanged(toAccount(user));
    return toAccount(user);
  }

  private async load(id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new UserNotFoundError();
    return user;
  }

  private async notifyAccessRevoked(revocation: AccessRevocation): Promise<void> {
    for (const listener of this.listeners) await listener.accessRevoked?.(revocation);
  }

  private async notifyAccountChanged(account: UserAccount): Promise<void> {
    for (const listener of this.listeners) {
      await this.afterCommit('accountChanged', () => listener.accountChanged?.(account));
    }
  }

  /** The change is committed already; a listener that fails is logged, not turned into an error. */
  private async afterCommit(hook: string, run: () => Promise<void> | undefined): Promise<void> {
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

function encodeCursor(position: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString(
    'base64url',
  );
}

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    ) as unknown[];
    if (typeof createdAt === 'string' && CURSOR_TIME.test(createdAt) && isUuid(id)) {
      const date = new Date(createdAt);
      if (!Number.isNaN(date.getTime())) return { createdAt: date, id };
    }
  } catch {
    // Falls through to the validation error below.
  }
  throw new ValidationFailedError([{ field: 'cursor', messages: ['cursor is not valid'] }]);
}
