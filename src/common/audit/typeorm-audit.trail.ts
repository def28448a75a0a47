import { Injectable } from '@nestjs/common';
import type { EntityMetadata } from 'typeorm';
import { columnOf, tableOf, TypeOrmTransactionContext, translatePostgresError } from '../database';
import { TranslateErrors } from '../errors';
import type { PagePosition } from '../pagination/page-position';
import { type AuditEvent, type AuditFilter, type AuditPage, AuditTrail } from './audit-trail';
import { AuditEventOrmEntity } from './audit-event.orm-entity';

/**
 * The audit trail in PostgreSQL (`audit_events`). Appends join the transaction in force, so a
 * change that rolls back leaves no row behind.
 */
@Injectable()
@TranslateErrors(translatePostgresError)
export class TypeOrmAuditTrail extends AuditTrail {
  private insertSql?: string;

  constructor(private readonly context: TypeOrmTransactionContext) {
    super();
  }

  private get rows() {
    return this.context.repository(AuditEventOrmEntity);
  }

  /**
   * One row per audited event, inside the event's transaction (every refresh writes one): a plain
   * statement, which skips the query builder's work on every call.
   */
  async append(event: AuditEvent): Promise<void> {
    const manager = this.context.manager();
    this.insertSql ??= insertSql(manager.connection.getMetadata(AuditEventOrmEntity));
    // jsonb goes as its JSON text, as TypeORM sends it.
    const row = { ...event, details: JSON.stringify(event.details) };
    await manager.query(
      this.insertSql,
      APPENDED.map((property) => row[property]),
    );
  }

  async page(filter: AuditFilter, limit: number, after: PagePosition | null): Promise<AuditPage> {
    const query = this.rows
      .createQueryBuilder('audit')
      .orderBy('audit.at', 'DESC')
      .addOrderBy('audit.id', 'DESC')
      .limit(limit + 1);
    if (filter.userId !== undefined) query.andWhere('audit.userId = :userId', filter);
    if (filter.event !== undefined) query.andWhere('audit.event = :event', filter);
    if (after) {
      query.andWhere('(audit.at, audit.id) < (:at, :id)', { at: new Date(after.at), id: after.id });
    }
    const rows = await query.getMany();
    const items = rows.slice(0, limit).map((row) => ({ ...row }));
    const last = items.at(-1);
    return {
      items,
      next: rows.length > limit && last ? { at: last.at.getTime(), id: last.id } : null,
    };
  }

  /** The one DELETE the table's trigger lets through: it says so for its own transaction. */
  deleteOlderThan(cutoff: Date, limit: number): Promise<number> {
    return this.context.run(async () => {
      await this.context.manager().query(`SELECT set_config('audit.prune', 'on', true)`);
      const result = await this.rows
        .createQueryBuilder()
        .delete()
        .where(
          'id IN (SELECT id FROM audit_events WHERE at < :cutoff ORDER BY at, id LIMIT :limit)',
          { cutoff, limit },
        )
        .execute();
      return result.affected ?? 0;
    });
  }
}

/** The row's columns, by property, in the order of the INSERT's parameters. */
const APPENDED = [
  'id',
  'event',
  'userId',
  'actorId',
  'ip',
  'userAgent',
  'requestId',
  'at',
  'details',
] as const satisfies readonly (keyof AuditEvent & keyof AuditEventOrmEntity)[];

/** `INSERT INTO "audit_events" ("id", …) VALUES ($1, …)`. */
function insertSql(metadata: EntityMetadata): string {
  const columns = APPENDED.map((property) =>
    columnOf<AuditEventOrmEntity>(metadata, property),
  ).join(', ');
  const parameters = APPENDED.map((_property, index) => `$${index + 1}`).join(', ');
  return `INSERT INTO ${tableOf(metadata)} (${columns}) VALUES (${parameters})`;
}
