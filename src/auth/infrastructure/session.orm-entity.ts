import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SessionEndReason } from '../domain/session';

@Entity({ name: 'sessions' })
export class SessionOrmEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'refresh_jti', type: 'uuid' })
  refreshJti!: string;

  @Column({ name: 'refresh_issued_at', type: 'timestamptz', precision: 3 })
  refreshIssuedAt!: Date;

  @Column({ name: 'previous_refresh_jti', type: 'uuid', nullable: true })
  previousRefreshJti!: string | null;

  @Column({ name: 'rotated_at', type: 'timestamptz', precision: 3, nullable: true })
  rotatedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', precision: 3 })
  lastUsedAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', precision: 3, nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason!: SessionEndReason | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;
}
