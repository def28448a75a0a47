import { Injectable } from '@nestjs/common';
import type { EntityMetadata } from 'typeorm';
import { columnOf, selectList, tableOf, TypeOrmTransactionContext } from '../../common/database';
import { TranslateErrors } from '../../common/errors';
import { translatePostgresError } from '../../common/database';
import { Session, type SessionEndReason } from '../domain/session';
import { SessionRepository } from '../domain/session.repository';
import { SessionOrmEntity } from './session.orm-entity';

@Injectable()
@TranslateErrors(translatePostgresError)
export class TypeOrmSessionRepository extends SessionRepository {
  private statements?: SessionStatements;

  constructor(private readonly context: TypeOrmTransactionContext) {
    super();
  }

  private get rows() {
    return this.context.repository(SessionOrmEntity);
  }

  /** The refresh path's statements, built on first use from the entity's mapping. */
  private get sql(): SessionStatements {
    return (this.statements ??= sessionStatements(
      this.context.manager().connection.getMetadata(SessionOrmEntity),
    ));
  }

  async insert(session: Session): Promise<void> {
    await this.rows.insert(Object.assign(new SessionOrmEntity(), session.toProps()));
  }

  /**
   * Every refresh reads its session, rotates it with `saveRotation`, and on reuse `revoke`s it:
   * those three run plain statements, which skip the query builder's work on every call.
   */
  async findById(id: string): Promise<Session | null> {
    const [row] = (await this.context
      .manager()
      .query(this.sql.selectById, [id])) as SessionOrmEntity[];
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
    const [, affected] = (await this.context
      .manager()
      .query(this.sql.saveRotation, [
        next.refreshJti,
        next.refreshIssuedAt,
        previousRefreshJti,
        rotatedAt,
        next.lastUsedAt,
        next.expiresAt,
        next.id,
      ])) as UpdateResult;
    return affected > 0;
  }

  async revoke(sessionId: string, reason: SessionEndReason, now: Date): Promise<boolean> {
    const [, affected] = (await this.context
      .manager()
      .query(this.sql.revoke, [sessionId, now, reason])) as UpdateResult;
    return affected > 0;
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

/** What TypeORM's `query` answers for an UPDATE on PostgreSQL: the rows returned, and the count. */
type UpdateResult = [unknown[], number];

interface SessionStatements {
  /** `$1`: the id; the row comes back under the entity's property names. */
  readonly selectById: string;
  /**
   * `$1`–`$6`: the new refresh jti and its issue time, the jti rotated from, the rotation's time,
   * last use and expiry; `$7`: the id. Only while the row still holds the jti rotated from and is
   * live at the rotation's time.
   */
  readonly saveRotation: string;
  /** `$1`: the id, `$2`: the time, `$3`: the reason; only a session not yet revoked. */
  readonly revoke: string;
}

function sessionStatements(metadata: EntityMetadata): SessionStatements {
  const table = tableOf(metadata);
  const column = (property: keyof SessionOrmEntity & string) => columnOf(metadata, property);
  return {
    selectById: `SELECT ${selectList(metadata)} FROM ${table} WHERE ${column('id')} = $1`,
    saveRotation:
      `UPDATE ${table} SET ${column('refreshJti')} = $1, ${column('refreshIssuedAt')} = $2, ` +
      `${column('previousRefreshJti')} = $3, ${column('rotatedAt')} = $4, ` +
      `${column('lastUsedAt')} = $5, ${column('expiresAt')} = $6 ` +
      `WHERE ${column('id')} = $7 AND ${column('refreshJti')} = $3 ` +
      `AND ${column('revokedAt')} IS NULL AND ${column('expiresAt')} > $4`,
    revoke:
      `UPDATE ${table} SET ${column('revokedAt')} = $2, ${column('revokedReason')} = $3 ` +
      `WHERE ${column('id')} = $1 AND ${column('revokedAt')} IS NULL`,
  };
}
