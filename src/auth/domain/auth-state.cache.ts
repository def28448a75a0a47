import type { AccountAccess, AccountState, AuthState, SessionState } from './access-decision';
import type { AccessClaims } from './tokens';

/**
 * A shared cache of `AuthState` in front of the record. A part it does not hold is unknown,
 * never "allowed": after a restart it is simply empty. It keeps accounts whole, as given.
 */
export abstract class AuthStateCache<Account extends AccountAccess = AccountAccess> {
  /** The parts held for this token, in one round trip. */
  abstract read(claims: AccessClaims): Promise<Partial<AuthState<Account>>>;
  /** Stores parts read from the record, never overwriting a part written since. */
  abstract fill(claims: AccessClaims, parts: Partial<AuthState<Account>>): Promise<void>;
  abstract revokeToken(userId: string, tokenId: string, expiresAt: Date): Promise<void>;
  /**
   * States of sessions of one user, by session id. A revoked session stays revoked: an "active"
   * state never replaces it.
   */
  abstract putSessions(userId: string, states: ReadonlyMap<string, SessionState>): Promise<void>;
  /**
   * Replaces the user's account unless the cache holds a newer copy: a higher revision, or the
   * deletion (null), which nothing replaces.
   */
  abstract putAccount(userId: string, account: AccountState<Account>): Promise<void>;
}
