import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'mfa_factors' })
export class MfaFactorOrmEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'secret_ciphertext', type: 'varchar', length: 200 })
  secretCiphertext!: string;

  @Column({ name: 'key_id', type: 'char', length: 16 })
  keyId!: string;

  @Column({ name: 'enabled_at', type: 'timestamptz', precision: 3, nullable: true })
  enabledAt!: Date | null;

  // bigint comes back from pg as a string; steps stay far below 2^53.
  @Column({ name: 'last_used_step', type: 'bigint', nullable: true })
  lastUsedStep!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
