import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'mfa_recovery_codes' })
export class MfaRecoveryCodeOrmEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @PrimaryColumn({ name: 'code_hash', type: 'char', length: 64 })
  codeHash!: string;

  @Column({ name: 'used_at', type: 'timestamptz', precision: 3, nullable: true })
  usedAt!: Date | null;
}
