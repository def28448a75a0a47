import type { UserAccount } from '../../users';
import type { UserState } from '../domain/access-decision';

/** The part of an account that decides access; null is a deleted (or never existing) user. */
export function userState(account: UserAccount | null): UserState {
  if (!account) return { active: false, tokensValidAfter: null };
  return account.disabledAt
    ? { active: false, tokensValidAfter: account.tokensValidAfter }
    : { active: true, role: account.role, tokensValidAfter: account.tokensValidAfter };
}
