import { Injectable } from '@nestjs/common';
import { TypeOrmTransactionContext } from '../../common/database';
import { TranslateErrors } from '../../common/errors';
import { translatePostgresError } from '../../common/database';
import { type BlacklistedToken, TokenBlacklist } from '../domain/token-blacklist';
import { BlacklistTokenOrmEntity } from './blacklist-token.orm-entity';

@Injectable()
@TranslateErrors(translatePostgresError)
export class TypeOrmTokenBlacklist extends TokenBlacklist {
  constructor(private readonly context: TypeOrmTransactionContext) {
    super();
  }

  private get rows() {
    return this.context.repository(BlacklistTokenOrmEntity);
  }

  async add(token: BlacklistedToken): Promise<void> {
    await this.rows
      .createQueryBuilder()
      .insert()
      .into(BlacklistTokenOrmEntity)
      .values({ jti: token.jti, userId: token.userId, expiresAt: token.expiresAt })
      .orIgnore()
      .execute();
  }

  contains(jti: string): Promise<boolean> {
    return this.rows.existsBy({ jti });
  }

  async deleteExpired(now: Date, limit: number): Promise<number> {
    const result = await this.rows
      .createQueryBuilder()
      .delete()
      .from(BlacklistTokenOrmEntity)
      .where('jti IN (SELECT jti FROM blacklist_tokens WHERE expires_at < :now LIMIT :limit)', {
        now,
        limit,
      })
      .execute();
    return result.affected ?? 0;
  }
}
