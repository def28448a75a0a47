import { Injectable } from '@nestjs/common';
import { TypeOrmTransactionContext } from '../../common/database';
import { TranslateErrors } from '../../common/errors';
import { translatePostgresError } from '../../common/database';
import { Session, type SessionEndReason } from '../domain/session';
import { SessionRepository } from '../domain/session.repository';
import { SessionOrmEntity } from './session.orm-entity';

@Injectable()
@TranslateErrors(translatePostgresError)
export class TypeOrmSessionRepository extends SessionRepository {
  constructor(private readonly context: TypeOrmTransactionContext) {
    super();
  }

  private get rows() {
    return this.context.repository(SessionOrmEntity);
  }

  async insert(session: Session): Promise<void> {
    await this.rows.insert(Object.assign(new SessionOrmEntity(), session.toProps()));
  }

  async findById(id: string): Promise<Session | null> {
    const row = await this.rows.findOneBy({ id });
    return row ? Session.restore(row) : null;
  }

  async findActiveByUser(userId: string, now: Date): Promise<Session[]> {
    const rows = await this.rows
      .createQueryBuilder('session')
      .where('session.userId = :userId', { userId })
      .andWhere('session.revokedAt IS NULL')
      .andWhere('session.expiresAt > :now', { now })
      .orderBy('session.createdAt', 'DESC')
      .getMany();
    return rows.map((row) => Session.restore(row));
  }

  async saveRotation(session: Session): Promise<boolean> {
    const { previousRefreshJti, rotatedAt, ...next } = session.toProps();
    const result = await this.rows
      .createQueryBuilder()
      .update(SessionOrmEntity)
      .set({
        refreshJti: next.refreshJti,
        refreshIssuedAt: next.refreshIssuedAt,
        previousRefreshJti,
        rotatedAt,
        lastUsedAt: next.lastUsedAt,
        expiresAt: next.expiresAt,
      })
      .where('id = :id AND refresh_jti = :previousRefreshJti', { id: next.id, previousRefreshJti })
      .andWhere('revoked_at IS NULL AND expires_at > :rotatedAt', { rotatedAt })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async revoke(sessionId: string, reason: SessionEndReason, now: Date): Promise<boolean> {
    const result = await this.rows
      .createQueryBuilder()
      .update(SessionOrmEntity)
      .set({ revokedAt: now, revokedReason: reason })
      .where('id = :sessionId AND revoked_at IS NULL', { sessionId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async revokeAllForUser(
    userId: string,
    reason: SessionEndReason,
    now: Date,
    exceptSessionId?: string,
  ): Promise<string[]> {
    const query = this.rows
      .createQueryBuilder()
      .update(SessionOrmEntity)
      .set({ revokedAt: now, revokedReason: reason })
      .where('user_id = :userId AND revoked_at IS NULL AND expires_at > :now', { userId, now })
      .returning(['id']);
    if (exceptSessionId) query.andWhere('id <> :exceptSessionId', { exceptSessionId });
    const result = await query.execute();
    return (result.raw as { id: string }[]).map((row) => row.id);
  }

  async deleteExpired(before: Date, limit: number): Promise<number> {
    const result = await this.rows
      .createQueryBuilder()
      .delete()
      .from(SessionOrmEntity)
      .where('id IN (SELECT id FROM sessions WHERE expires_at < :before LIMIT :limit)', {
        before,
        limit,
      })
      .execute();
    return result.affected ?? 0;
  }
}
