import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AccountTokenPurpose } from '../domain/account-token';

/** The `account_tokens` table: one-time tokens of mailed links, by the SHA-256 of their secret. */
@Entity({ name: 'account_tokens' })
export class AccountTokenOrmEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'char', length: 64 })
  hash!: string;

  @Column({ type: 'varchar', length: 32 })
  purpose!: AccountTokenPurpose;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', precision: 3, nullable: true })
  usedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
