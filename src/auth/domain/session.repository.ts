import type { Session, SessionEndReason } from './session';

export abstract class SessionRepository {
  abstract insert(session: Session): Promise<void>;
  abstract findById(id: string): Promise<Session | null>;
  /** Sessions neither revoked nor expired, newest first. */
  abstract findActiveByUser(userId: string, now: Date): Promise<Session[]>;
  /**
   * Moves an active session from one refresh token to the next in one conditional write,
   * so of two concurrent rotations with the same token exactly one succeeds.
   * Returns the rotated session, or null when `presentedJti` is not the current one.
   */
  abstract rotateRefresh(input: {
    sessionId: string;
    presentedJti: string;
    nextJti: string;
    now: Date;
    expiresAt: Date;
  }): Promise<Session | null>;
  /** Returns false when the session was not active. */
  abstract revoke(sessionId: string, reason: SessionEndReason, now: Date): Promise<boolean>;
  /** Returns the ids of the sessions it ended. */
  abstract revokeAllForUser(userId: string, reason: SessionEndReason, now: Date): Promise<string[]>;
  /** Deletes up to `limit` sessions that expired before `before`; returns how many. */
  abstract deleteExpired(before: Date, limit: number): Promise<number>;
}
