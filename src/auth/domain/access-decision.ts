import type { Role } from '../../common/identity/role';
import { TokenRevokedError } from './auth.errors';
import { hasEnded } from './session';
import type { AccessClaims } from './tokens';

/** Whether the access token itself was revoked by a logout. */
export type TokenState = 'revoked' | 'valid';

export type SessionState =
  | { readonly active: true; readonly userId: string; readonly expiresAt: Date }
  | { readonly active: false };

/**
 * What the access rules read of an account. The users module's account has these and more, and
 * the cache keeps it whole, so a route about the caller can answer from the same read.
 */
export interface AccountAccess {
  readonly role: Role;
  readonly disabledAt: Date | null;
  /** Access tokens issued before this instant are revoked. */
  readonly tokensValidAfter: Date;
  /** Grows with every change: of two copies of the account, the higher is the newer. */
  readonly revision: number;
}

/** The token's account as recorded; null once deleted, which is final, so newer than any copy. */
export type AccountState<Account extends AccountAccess = AccountAccess> = Account | null;

/** Everything that decides whether a well-signed access token still opens the door. */
export interface AuthState<Account extends AccountAccess = AccountAccess> {
  readonly token: TokenState;
  readonly session: SessionState;
  readonly account: AccountState<Account>;
}

/**
 * The revocation rules: not logged out, its session alive and its own, and its account present
 * and enabled with no password change or disable after the token was issued. Returns the account.
 */
export function decideAccess<Account extends AccountAccess>(
  claims: AccessClaims,
  state: AuthState<Account>,
  now: Date,
): Account {
  const { token, session, account } = state;
  if (token === 'revoked') throw new TokenRevokedError();
  if (!session.active || session.userId !== claims.userId || hasEnded(session.expiresAt, now)) {
    throw new TokenRevokedError();
  }
  if (!account || account.disabledAt !== null) throw new TokenRevokedError();
  // `iat` has whole seconds; a token from the same second as the cutoff is judged by its session,
  // which the same change revoked.
  if (claims.issuedAt.getTime() < Math.floor(account.tokensValidAfter.getTime() / 1000) * 1000) {
    throw new TokenRevokedError();
  }
  return account;
}
