import type { Role } from '../../common/identity';
import type { User } from '../domain/user';

/** What other modules and the HTTP layer see of a user: never the password hash. */
export interface UserAccount {
  readonly id: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly role: Role;
  readonly disabledAt: Date | null;
  readonly emailVerifiedAt: Date | null;
  /** Whether signing in asks for a second factor (TOTP) after the password. */
  readonly mfaEnabled: boolean;
  readonly tokensValidAfter: Date;
  readonly createdAt: Date;
  /** Grows with every change: of two copies of the account, the higher is the newer. */
  readonly revision: number;
}

export function toAccount(user: User): UserAccount {
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    role: user.role,
    disabledAt: user.disabledAt,
    emailVerifiedAt: user.emailVerifiedAt,
    mfaEnabled: user.mfaEnabledAt !== null,
    tokensValidAfter: user.tokensValidAfter,
    createdAt: user.createdAt,
    revision: user.revision,
  };
}

export interface UserAccountPage {
  readonly items: UserAccount[];
  readonly nextCursor: string | null;
}
