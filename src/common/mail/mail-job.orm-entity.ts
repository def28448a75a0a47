import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { MailJobPayload } from './mail-queue';

/** The `mail_jobs` table: mails waiting to be sent, deleted once sent or given up on. */
@Entity({ name: 'mail_jobs' })
export class MailJobOrmEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  kind!: string;

  @Column({ type: 'jsonb' })
  payload!: MailJobPayload;

  /** The request that asked for the mail, so a failure can be traced back to it. */
  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  nextAttemptAt!: Date;

  /** Set while an instance is sending it; past it, another instance may take the job over. */
  @Column({ name: 'locked_until', type: 'timestamptz', precision: 3, nullable: true })
  lockedUntil!: Date | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  createdAt!: Date;
}
