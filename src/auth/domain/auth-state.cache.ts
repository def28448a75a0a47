import type { AuthState, SessionState, UserState } from './access-decision';
import type { AccessClaims } from './tokens';

/**
 * A shared cache of `AuthState` in front of the record. A part it does not hold is unknown,
 * never "allowed": after a restart it is simply empty.
 */
export abstract class AuthStateCache {
  /** The parts held for this token, in one round trip. */
  abstract read(claims: AccessClaims): Promise<Partial<AuthState>>;
  /** Stores parts read from the record, never overwriting a part written since. */
  abstract fill(claims: AccessClaims, parts: Partial<AuthState>): Promise<void>;
  abstract revokeToken(userId: string, tokenId: string, expiresAt: Date): Promise<void>;
  /**
   * States of sessions of one user, by session id. A revoked session stays revoked: an "active"
   * state never replaces it.
   */
  abstract putSessions(userId: string, states: ReadonlyMap<string, SessionState>): Promise<void>;
  /** Replaces the user's state unless the cache holds a newer one (a later `tokensValidAfter`). */
  abstract putUser(userId: string, state: UserState): Promise<void>;
}
