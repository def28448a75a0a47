import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '../../common/identity';

/** The `users` table; the unique index on lower(email) lives in the migration. */
@Entity({ name: 'users' })
export class UserOrmEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ name: 'first_name', type: 'varchar', length: 100 })
  firstName!: string;

  @Column({ name: 'last_name', type: 'varchar', length: 100 })
  lastName!: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 100 })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: Role;

  @Column({ name: 'disabled_at', type: 'timestamptz', precision: 3, nullable: true })
  disabledAt!: Date | null;

  @Column({ name: 'email_verified_at', type: 'timestamptz', precision: 3, nullable: true })
  emailVerifiedAt!: Date | null;

  @Column({ name: 'mfa_enabled_at', type: 'timestamptz', precision: 3, nullable: true })
  mfaEnabledAt!: Date | null;

  @Column({ name: 'tokens_valid_after', type: 'timestamptz', precision: 3 })
  tokensValidAfter!: Date;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;

  @Column({ type: 'integer' })
  revision!: number;
}
