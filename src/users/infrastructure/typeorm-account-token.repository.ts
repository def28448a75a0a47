import { Injectable } from '@nestjs/common';
import { TypeOrmTransactionContext, translatePostgresError } from '../../common/database';
import { TranslateErrors } from '../../common/errors';
import type { AccountToken, AccountTokenGrant, AccountTokenPurpose } from '../domain/account-token';
import { AccountTokenRepository } from '../domain/account-token.repository';
import { AccountTokenOrmEntity } from './account-token.orm-entity';

@Injectable()
@TranslateErrors(translatePostgresError)
export class TypeOrmAccountTokenRepository extends AccountTokenRepository {
  constructor(private readonly context: TypeOrmTransactionContext) {
    super();
  }

  private get rows() {
    return this.context.repository(AccountTokenOrmEntity);
  }

  async insert(token: AccountToken): Promise<void> {
    await this.rows.insert({ ...token, usedAt: null });
  }

  async findUsable(
    hash: string,
    purpose: AccountTokenPurpose,
    now: Date,
  ): Promise<AccountTokenGrant | null> {
    const row = await this.rows
      .createQueryBuilder('token')
      .select(['token.userId', 'token.email'])
      .where('token.hash = :hash AND token.purpose = :purpose', { hash, purpose })
      .andWhere('token.usedAt IS NULL AND token.expiresAt > :now', { now })
      .getOne();
    return row ? { userId: row.userId, email: row.email } : null;
  }

  /** One conditional UPDATE: the row lock makes a concurrent second use find it used. */
  async consume(
    hash: string,
    purpose: AccountTokenPurpose,
    now: Date,
  ): Promise<AccountTokenGrant | null> {
    const [rows] = (await this.context.manager().query(
      `UPDATE account_tokens SET used_at = $3
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
        RETURNING user_id AS "userId", email`,
      [hash, purpose, now],
    )) as [AccountTokenGrant[], number];
    return rows[0] ?? null;
  }

  async revokeUnused(userId: string, purpose: AccountTokenPurpose, now: Date): Promise<number> {
    const result = await this.rows
      .createQueryBuilder()
      .update()
      .set({ usedAt: now })
      .where('user_id = :userId AND purpose = :purpose AND used_at IS NULL', { userId, purpose })
      .execute();
    return result.affected ?? 0;
  }

  async deleteSpent(now: Date, limit: number): Promise<number> {
    const result = await this.rows
      .createQueryBuilder()
      .delete()
      .where(
        `token_hash IN (SELECT token_hash FROM account_tokens
                         WHERE used_at IS NOT NULL OR expires_at < :now LIMIT :limit)`,
        { now, limit },
      )
      .execute();
    return result.affected ?? 0;
  }
}
