import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'blacklist_tokens' })
export class BlacklistTokenOrmEntity {
  @PrimaryColumn('uuid')
  jti!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt!: Date;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  createdAt!: Date;
}
