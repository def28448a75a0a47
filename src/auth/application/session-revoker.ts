import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '../../common/database';
import { Clock } from '../../common/time';
import { AuthStateCache } from '../domain/auth-state.cache';
import type { SessionEndReason } from '../domain/session';
import { SessionRepository } from '../domain/session.repository';

/**
 * Ends sessions in PostgreSQL and in the cache together, in one unit of work (or the caller's): a
 * cache failure rolls the change back, so a session is never ended in one and live in the other.
 */
@Injectable()
export class SessionRevoker {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly cache: AuthStateCache,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async endOne(userId: string, sessionId: string, reason: SessionEndReason): Promise<void> {
    await this.endInStoreAndCache(userId, async (now) => {
      await this.sessions.revoke(sessionId, reason, now);
      return [sessionId];
    });
  }

  /** Every active session of the user, but `exceptSessionId` when given; returns the ids ended. */
  endAllOf(userId: string, reason: SessionEndReason, exceptSessionId?: string): Promise<string[]> {
    return this.endInStoreAndCache(userId, (now) =>
      this.sessions.revokeAllForUser(userId, reason, now, exceptSessionId),
    );
  }

  private endInStoreAndCache(
    userId: string,
    end: (now: Date) => Promise<string[]>,
  ): Promise<string[]> {
    return this.unitOfWork.run(async () => {
      const ended = await end(this.clock.now());
      await this.cache.putSessions(
        userId,
        new Map(ended.map((id) => [id, { active: false } as const])),
      );
      return ended;
    });
  }
}
