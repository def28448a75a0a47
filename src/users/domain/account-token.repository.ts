import type { AccountToken, AccountTokenGrant, AccountTokenPurpose } from './account-token';

export abstract class AccountTokenRepository {
  abstract insert(token: AccountToken): Promise<void>;
  /** The grant of an unused, unexpired token of this purpose, without using it; else null. */
  abstract findUsable(
    hash: string,
    purpose: AccountTokenPurpose,
    now: Date,
  ): Promise<AccountTokenGrant | null>;
  /**
   * Marks the token used and returns its grant, if it is unused, unexpired and of this purpose;
   * else null. Atomic: of two concurrent uses of one token, exactly one gets the grant.
   */
  abstract consume(
    hash: string,
    purpose: AccountTokenPurpose,
    now: Date,
  ): Promise<AccountTokenGrant | null>;
  /** Marks every unused token of the user for this purpose used; returns how many. */
  abstract revokeUnused(userId: string, purpose: AccountTokenPurpose, now: Date): Promise<number>;
  /** Deletes up to `limit` tokens that are used or expired before `now`; returns how many. */
  abstract deleteSpent(now: Date, limit: number): Promise<number>;
}
