import { Injectable, type OnModuleInit } from '@nestjs/common';
import ms from 'ms';
import { bearerSecretHash, newBearerSecret } from '../../common/secrets';
import { AuthEventLog } from '../../common/audit';
import { AppConfig } from '../../common/config';
import { UnitOfWork } from '../../common/database';
import { TooManyRequestsError } from '../../common/errors';
import {
  type MailJobPayload,
  MailQueue,
  MailTemplates,
  type OutgoingMail,
} from '../../common/mail';
import { RateLimiter, RateLimiterFactory } from '../../common/rate-limit';
import type { ClientInfo } from '../../common/identity';
import { Clock } from '../../common/time';
import type { AccountTokenPurpose } from '../domain/account-token';
import { AccountTokenRepository } from '../domain/account-token.repository';
import { normalizeEmail } from '../domain/email';
import {
  EmailAlreadyVerifiedError,
  EmailTakenError,
  EmailTokenInvalidError,
  ResetTokenInvalidError,
} from '../domain/user.errors';
import { emailAddressKey } from './email-address-key';
import type { UserAccount } from './user-account';
import { UsersService } from './users.service';

/** The page a link opens, by its token's purpose; its mail template has the same name. */
const LANDING_PAGE: Record<AccountTokenPurpose, string> = {
  email_verification: 'verify-email',
  password_reset: 'reset-password',
  email_change: 'confirm-email',
};

/** The mails of this module, by the job kind that queues them. */
const MAIL = {
  verification: 'users.email-verification',
  passwordReset: 'users.password-reset',
  emailChange: 'users.email-change',
  passwordResetNotice: 'users.password-reset-notice',
  emailChangeNotice: 'users.email-change-notice',
} as const;

/**
 * Accounts by email: verified addresses, password recovery and email change, through one-time
 * links. A mail with a link is queued as a job with ids and addresses only; its token is made
 * when the mail is sent, so nothing but the token's hash is ever stored.
 */
@Injectable()
export class AccountEmailService implements OnModuleInit {
  private readonly linkMailsPerAddress: RateLimiter;

  constructor(
    private readonly users: UsersService,
    private readonly tokens: AccountTokenRepository,
    private readonly mail: MailQueue,
    private readonly templates: MailTemplates,
    private readonly authEvents: AuthEventLog,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    rateLimiters: RateLimiterFactory,
  ) {
    this.linkMailsPerAddress = rateLimiters.create(
      {
        name: 'link-mails-per-address',
        points: config.mail.perEmailLimit,
        durationSeconds: config.mail.perEmailWindowSeconds,
      },
      'Too many mails to this address. Please try again later.',
    );
  }

  onModuleInit(): void {
    this.mail.handle(MAIL.verification, ({ userId }) => this.verificationMail(userId));
    this.mail.handle(MAIL.passwordReset, ({ email }) => this.passwordResetMail(email));
    this.mail.handle(MAIL.emailChange, ({ userId, newEmail }) =>
      this.emailChangeMail(userId, newEmail),
    );
    this.mail.handle(MAIL.passwordResetNotice, (notice) =>
      this.notice('password-reset-notice', notice),
    );
    this.mail.handle(MAIL.emailChangeNotice, (notice) =>
      this.notice('email-change-notice', notice),
    );
  }

  /** At registration, inside its transaction; past the address's mail limit it sends nothing. */
  async sendVerificationMail(account: UserAccount): Promise<void> {
    if (await this.mayMail(account.email)) {
      await this.mail.enqueue(MAIL.verification, { userId: account.id });
    }
  }

  /** The caller owns the address, so the limit may show: 429 past it. */
  async requestVerification(userId: string, client: ClientInfo): Promise<void> {
    const account = await this.users.getAccount(userId);
    if (account.emailVerifiedAt) throw new EmailAlreadyVerifiedError();
    await this.linkMailsPerAddress.consume(emailAddressKey(account.email));
    await this.mail.enqueue(MAIL.verification, { userId: account.id });
    await this.authEvents.record('email.verification_requested', client, { userId });
  }

  async verifyEmail(token: string, client: ClientInfo): Promise<UserAccount> {
    return this.unitOfWork.run(async () => {
      const grant = await this.use(token, 'email_verification');
      const account = grant && (await this.users.verifyEmail(grant.userId, grant.email));
      if (!account) throw new EmailTokenInvalidError();
      await this.authEvents.record('email.verified', client, { userId: account.id });
      return account;
    });
  }

  /**
   * The same work and answer whether or not an account has this address: the job is queued
   * either way (counted against the address's limit), and the sender finds out.
   */
  async forgotPassword(email: string, client: ClientInfo): Promise<void> {
    const address = normalizeEmail(email);
    if (await this.mayMail(address)) {
      await this.mail.enqueue(MAIL.passwordReset, { email: address });
    }
    // No user id: whether the address has an account is the sender's to find out.
    await this.authEvents.record('password.reset_requested', client);
  }

  /** Every session ends, the user's other reset links die, and a notice goes to the address. */
  async resetPassword(token: string, newPassword: string, client: ClientInfo): Promise<void> {
    // Checked before bcrypt's work, so bad tokens cost little; used for good under the lock.
    const grant = await this.tokens.findUsable(
      bearerSecretHash(token),
      'password_reset',
      this.clock.now(),
    );
    if (!grant) throw new ResetTokenInvalidError();
    await this.users.resetPassword(
      grant.userId,
      grant.email,
      newPassword,
      client,
      async (account) => {
        if (!(await this.use(token, 'password_reset'))) throw new ResetTokenInvalidError();
        await this.mail.enqueue(MAIL.passwordResetNotice, noticeTo(account));
      },
    );
  }

  /**
   * Mails a link to the new address and a notice to the current one. Past the new address's mail
   * limit it answers the same and sends no link, so the limit tells nothing.
   */
  async requestEmailChange(
    userId: string,
    newEmail: string,
    password: string,
    client: ClientInfo,
  ): Promise<void> {
    const account = await this.users.confirmPassword(userId, password);
    const address = normalizeEmail(newEmail);
    if (address === account.email || (await this.users.findAccountByEmail(address))) {
      throw new EmailTakenError();
    }
    const sendLink = await this.mayMail(address);
    await this.unitOfWork.run(async () => {
      if (sendLink) await this.mail.enqueue(MAIL.emailChange, { userId, newEmail: address });
      await this.mail.enqueue(MAIL.emailChangeNotice, noticeTo(account));
    });
    await this.authEvents.record('email.change_requested', client, { userId });
  }

  async confirmEmailChange(token: string, client: ClientInfo): Promise<UserAccount> {
    return this.unitOfWork.run(async () => {
      const grant = await this.use(token, 'email_change');
      if (!grant) throw new EmailTokenInvalidError();
      return this.users.changeEmail(grant.userId, grant.email, client);
    });
  }

  /** For the prune job: deletes up to `limit` used or expired tokens; returns how many. */
  deleteSpentTokens(now: Date, limit: number): Promise<number> {
    return this.tokens.deleteSpent(now, limit);
  }

  /** Uses the token, and with it every other unused token of the user for the same purpose. */
  private async use(token: string, purpose: AccountTokenPurpose) {
    const now = this.clock.now();
    const grant = await this.tokens.consume(bearerSecretHash(token), purpose, now);
    if (grant) await this.tokens.revokeUnused(grant.userId, purpose, now);
    return grant;
  }

  /** Counts a link mail to `address`; false past the limit. */
  private async mayMail(address: string): Promise<boolean> {
    try {
      await this.linkMailsPerAddress.consume(emailAddressKey(address));
      return true;
    } catch (error) {
      if (error instanceof TooManyRequestsError) return false;
      throw error;
    }
  }

  private async verificationMail(userId: string): Promise<OutgoingMail | null> {
    const account = await this.users.findAccount(userId);
    if (!account || account.emailVerifiedAt) return null;
    return this.linkMail(account, account.email, 'email_verification');
  }

  private async passwordResetMail(email: string): Promise<OutgoingMail | null> {
    const account = await this.users.findAccountByEmail(email);
    if (!account || account.disabledAt) return null;
    return this.linkMail(account, account.email, 'password_reset');
  }

  private async emailChangeMail(userId: string, newEmail: string): Promise<OutgoingMail | null> {
    const account = await this.users.findAccount(userId);
    if (!account) return null;
    return this.linkMail(account, newEmail, 'email_change');
  }

  /** Makes the token now, at send time, and puts its secret in the link's fragment only. */
  private async linkMail(
    account: UserAccount,
    to: string,
    purpose: AccountTokenPurpose,
  ): Promise<OutgoingMail> {
    const secret = newBearerSecret();
    const now = this.clock.now();
    const lifetimeSeconds =
      purpose === 'password_reset'
        ? this.config.accountEmail.passwordResetTtlSeconds
        : this.config.accountEmail.emailTokenTtlSeconds;
    await this.tokens.insert({
      hash: bearerSecretHash(secret),
      purpose,
      userId: account.id,
      email: to,
      expiresAt: new Date(now.getTime() + lifetimeSeconds * 1000),
      createdAt: now,
    });
    const page = LANDING_PAGE[purpose];
    return this.templates.render(page, to, {
      firstName: account.firstName,
      link: `${this.config.mail.publicUrl}/${page}#token=${secret}`,
      validFor: ms(lifetimeSeconds * 1000, { long: true }),
    });
  }

  private async notice(template: string, { to, firstName }: MailJobPayload): Promise<OutgoingMail> {
    return this.templates.render(template, to, { firstName });
  }
}

function noticeTo(account: UserAccount): MailJobPayload {
  return { to: account.email, firstName: account.firstName };
}
