import {
  Session,
  type SessionEndReason,
  type SessionProps,
} from '../../../src/auth/domain/session';
import { SessionRepository } from '../../../src/auth/domain/session.repository';

export class InMemorySessionRepository extends SessionRepository {
  readonly rows = new Map<string, SessionProps>();

  async insert(session: Session): Promise<void> {
    this.rows.set(session.id, session.toProps());
  }

  async findById(id: string): Promise<Session | null> {
    const row = this.rows.get(id);
    return row ? Session.restore(row) : null;
  }

  async findActiveByUser(userId: string, now: Date): Promise<Session[]> {
    return [...this.rows.values()]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((row) => Session.restore(row))
      .filter((session) => session.belongsTo(userId) && session.isActive(now));
  }

  async saveRotation(session: Session): Promise<boolean> {
    const next = session.toProps();
    const row = this.rows.get(session.id);
    if (!row || row.refreshJti !== next.previousRefreshJti || row.revokedAt !== null) return false;
    if (row.expiresAt.getTime() <= next.rotatedAt!.getTime()) return false;
    this.rows.set(session.id, next);
    return true;
  }

  async revoke(sessionId: string, reason: SessionEndReason, now: Date): Promise<boolean> {
    const row = this.rows.get(sessionId);
    if (!row || row.revokedAt) return false;
    Object.assign(row, { revokedAt: now, revokedReason: reason });
    return true;
  }

  async revokeAllForUser(
    userId: string,
    reason: SessionEndReason,
    now: Date,
    exceptSessionId?: string,
  ): Promise<string[]> {
    const active = (await this.findActiveByUser(userId, now)).filter(
      (session) => session.id !== exceptSessionId,
    );
    for (const session of active) await this.revoke(session.id, reason, now);
    return active.map((session) => session.id);
  }

  async deleteExpired(before: Date, limit: number): Promise<number> {
    const expired = [...this.rows.values()].filter((row) => row.expiresAt < before).slice(0, limit);
    for (const row of expired) this.rows.delete(row.id);
    return expired.length;
  }
}
