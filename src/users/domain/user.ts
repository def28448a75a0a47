import type { Role } from '../../common/identity/role';

export interface UserProps {
  readonly id: string;
  email: string;
  firstName: string;
  lastName: string;
  passwordHash: string;
  role: Role;
  disabledAt: Date | null;
  /** When the user last proved to read mail at `email`; null until then. */
  emailVerifiedAt: Date | null;
  /** Since when sign-in asks for a second factor; null while it does not. */
  mfaEnabledAt: Date | null;
  /** Access tokens issued before this instant are revoked. */
  tokensValidAfter: Date;
  readonly createdAt: Date;
  updatedAt: Date;
  /**
   * Counts the account's changes: copies of it elsewhere (the auth cache) keep the highest they
   * saw, so an older copy never replaces a newer one, whatever the clocks say.
   */
  revision: number;
}

/** A registered account. Its rules: who it is, whether it may sign in, and since when its tokens count. */
export class User {
  private constructor(private readonly props: UserProps) {}

  static register(input: {
    id: string;
    email: string;
    firstName: string;
    lastName: string;
    passwordHash: string;
    now: Date;
  }): User {
    return new User({
      id: input.id,
      email: input.email,
      firstName: input.firstName,
      lastName: input.lastName,
      passwordHash: input.passwordHash,
      role: 'user',
      disabledAt: null,
      emailVerifiedAt: null,
      mfaEnabledAt: null,
      tokensValidAfter: input.now,
      createdAt: input.now,
      updatedAt: input.now,
      revision: 0,
    });
  }

  static restore(props: UserProps): User {
    return new User({ ...props });
  }

  get id(): string {
    return this.props.id;
  }
  get email(): string {
    return this.props.email;
  }
  get firstName(): string {
    return this.props.firstName;
  }
  get lastName(): string {
    return this.props.lastName;
  }
  get passwordHash(): string {
    return this.props.passwordHash;
  }
  get role(): Role {
    return this.props.role;
  }
  get disabledAt(): Date | null {
    return this.props.disabledAt;
  }
  get emailVerifiedAt(): Date | null {
    return this.props.emailVerifiedAt;
  }
  get mfaEnabledAt(): Date | null {
    return this.props.mfaEnabledAt;
  }
  get tokensValidAfter(): Date {
    return this.props.tokensValidAfter;
  }
  get createdAt(): Date {
    return this.props.createdAt;
  }
  get updatedAt(): Date {
    return this.props.updatedAt;
  }
  get revision(): number {
    return this.props.revision;
  }
  get isDisabled(): boolean {
    return this.props.disabledAt !== null;
  }

  rename(names: { firstName?: string; lastName?: string }, now: Date): void {
    if (names.firstName === undefined && names.lastName === undefined) return;
    this.props.firstName = names.firstName ?? this.props.firstName;
    this.props.lastName = names.lastName ?? this.props.lastName;
    this.changed(now);
  }

  /** A new password ends every earlier session and token. */
  changePassword(passwordHash: string, now: Date): void {
    this.props.passwordHash = passwordHash;
    this.revokeTokens(now);
  }

  /**
   * The user read mail sent to `address`. Counts only while it is still the account's address:
   * a link mailed before an email change verifies nothing.
   */
  verifyEmail(address: string, now: Date): boolean {
    if (address !== this.props.email) return false;
    if (this.props.emailVerifiedAt === null) {
      this.props.emailVerifiedAt = now;
      this.changed(now);
    }
    return true;
  }

  /** Confirmed from the new address, so it is verified from the start. */
  changeEmail(address: string, now: Date): void {
    this.props.email = address;
    this.props.emailVerifiedAt = now;
    this.changed(now);
  }

  /** From now on, signing in takes a second factor. */
  enableSecondFactor(now: Date): void {
    this.props.mfaEnabledAt = now;
    this.changed(now);
  }

  disableSecondFactor(now: Date): void {
    if (this.props.mfaEnabledAt === null) return;
    this.props.mfaEnabledAt = null;
    this.changed(now);
  }

  /**
   * An admin removes the second factor of an account that may be in the wrong hands: every
   * session and token ends with it.
   */
  resetSecondFactor(now: Date): void {
    this.props.mfaEnabledAt = null;
    this.revokeTokens(now);
  }

  disable(now: Date): void {
    if (this.isDisabled) return;
    this.props.disabledAt = now;
    this.revokeTokens(now);
  }

  enable(now: Date): void {
    if (!this.isDisabled) return;
    this.props.disabledAt = null;
    this.changed(now);
  }

  promote(now: Date): void {
    this.props.role = 'admin';
    this.changed(now);
  }

  toProps(): UserProps {
    return { ...this.props };
  }

  private revokeTokens(now: Date): void {
    this.props.tokensValidAfter = now;
    this.changed(now);
  }

  private changed(now: Date): void {
    this.props.updatedAt = now;
    this.props.revision++;
  }
}
