import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AuditDetail } from './audit-trail';

@Entity({ name: 'audit_events' })
export class AuditEventOrmEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  event!: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId!: string | null;

  @Column({ type: 'timestamptz', precision: 3 })
  at!: Date;

  @Column({ type: 'jsonb' })
  details!: Record<string, AuditDetail>;
}
