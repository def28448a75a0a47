import type { Session, SessionEndReason } from './session';

export abstract class SessionRepository {
  abstract insert(session: Session): Promise<void>;
  abstract findById(id: string): Promise<Session | null>;
  /** Sessions neither revoked nor expired, newest first. */
  abstract findActiveByUser(userId: string, now: Date): Promise<Session[]>;
  /**
   * Saves a session `Session.rotate` moved to its next refresh token, in one conditional write:
   * only while the record still holds the token it rotated from and is not revoked, so of two
   * concurrent rotations from one token exactly one succeeds. Returns whether this one did.
   */
  abstract saveRotation(session: Session): Promise<boolean>;
  /** Returns false when the session was not active. */
  abstract revoke(sessionId: string, reason: SessionEndReason, now: Date): Promise<boolean>;
  /** Ends every active session of the user but `exceptSessionId`; returns the ids it ended. */
  abstract revokeAllForUser(
    userId: string,
    reason: SessionEndReason,
    now: Date,
    exceptSessionId?: string,
  ): Promise<string[]>;
  /** Deletes up to `limit` sessions that expired before `before`; returns how many. */
  abstract deleteExpired(before: Date, limit: number): Promise<number>;
}
