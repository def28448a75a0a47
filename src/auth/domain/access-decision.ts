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
 * `tokensValidAfter` only moves forward, so it orders the states of one user: a cache keeps the
 * newest. A deleted user has none (null), and no later state replaces that.
 */
export type UserState =
  | { readonly active: true; readonly role: Role; readonly tokensValidAfter: Date }
  | { readonly active: false; readonly tokensValidAfter: Date | null };

/** Everything that decides whether a well-signed access token still opens the door. */
export interface AuthState {
  readonly token: TokenState;
  readonly session: SessionState;
  readonly user: UserState;
}

/**
 * The revocation rules: not logged out, its session alive and its own, and its user active
 * with no password change or disable after the token was issued. Returns the user's role.
 */
export function decideAccess(claims: AccessClaims, state: AuthState, now: Date): Role {
  const { token, session, user } = state;
  if (token === 'revoked') throw new TokenRevokedError();
  if (!session.active || session.userId !== claims.userId || hasEnded(session.expiresAt, now)) {
    throw new TokenRevokedError();
  }
  if (!user.active) throw new TokenRevokedError();
  // `iat` has whole seconds; a token from the same second as the cutoff is judged by its session,
  // which the same change revoked.
  if (claims.issuedAt.getTime() < Math.floor(user.tokensValidAfter.getTime() / 1000) * 1000) {
    throw new TokenRevokedError();
  }
  return user.role;
}
