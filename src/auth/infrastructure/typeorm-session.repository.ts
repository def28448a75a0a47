import { Injectable } from '@nestjs/common';
import { TypeOrmTransactionContext } from '../../common/database/typeorm-transaction.context';
import { Session, type SessionEndReason } from '../domain/session';
import { SessionRepository } from '../domain/session.repository';
import { SessionOrmEntity } from './session.orm-entity';

interface SessionRow {
  id: string;
  user_id: string;
  refresh_jti: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: SessionEndReason | null;
  ip: string | null;
  user_agent: string | null;
}

@Injectable()
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

  async rotateRefresh(input: {
    sessionId: string;
    presentedJti: string;
    nextJti: string;
    now: Date;
    expiresAt: Date;
  }): Promise<Session | null> {
    const result = await this.rows
      .createQueryBuilder()
      .update(SessionOrmEntity)
      .set({ refreshJti: input.nextJti, lastUsedAt: input.now, expiresAt: input.expiresAt })
      .where('id = :sessionId AND refresh_jti = :presentedJti', input)
      .andWhere('revoked_at IS NULL AND expires_at > :now', { now: input.now })
      .returning('*')
      .execute();
    const [row] = result.raw as SessionRow[];
    return row ? fromRow(row) : null;
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

  async revokeAllForUser(userId: string, reason: SessionEndReason, now: Date): Promise<string[]> {
    const result = await this.rows
      .createQueryBuilder()
      .update(SessionOrmEntity)
      .set({ revokedAt: now, revokedReason: reason })
      .where('user_id = :userId AND revoked_at IS NULL AND expires_at > :now', { userId, now })
      .returning(['id'])
      .execute();
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

function fromRow(row: SessionRow): Session {
  return Session.restore({
    id: row.id,
    userId: row.user_id,
    refreshJti: row.refresh_jti,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
    ip: row.ip,
    userAgent: row.user_agent,
  });
}
