import { Injectable } from '@nestjs/common';
import { TypeOrmTransactionContext, translatePostgresError } from '../../common/database';
import { TranslateErrors } from '../../common/errors';
import { MfaFactorRepository } from '../domain/mfa-factor.repository';
import type { SealedSecret, TotpFactor } from '../domain/totp-factor';
import { MfaFactorOrmEntity } from './mfa-factor.orm-entity';
import { MfaRecoveryCodeOrmEntity } from './mfa-recovery-code.orm-entity';

/** The conditional writes are single statements: PostgreSQL's row lock orders racing callers. */
@Injectable()
@TranslateErrors(translatePostgresError)
export class TypeOrmMfaFactorRepository extends MfaFactorRepository {
  constructor(private readonly context: TypeOrmTransactionContext) {
    super();
  }

  private get factors() {
    return this.context.repository(MfaFactorOrmEntity);
  }

  private get recoveryCodes() {
    return this.context.repository(MfaRecoveryCodeOrmEntity);
  }

  async findByUser(userId: string): Promise<TotpFactor | null> {
    const row = await this.factors.findOneBy({ userId });
    return row ? toDomain(row) : null;
  }

  async savePending(factor: TotpFactor): Promise<boolean> {
    const rows = (await this.context.manager().query(
      `INSERT INTO mfa_factors (user_id, secret_ciphertext, key_id, created_at)
         VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id) DO UPDATE
         SET secret_ciphertext = EXCLUDED.secret_ciphertext, key_id = EXCLUDED.key_id,
             last_used_step = NULL, created_at = EXCLUDED.created_at
         WHERE mfa_factors.enabled_at IS NULL
       RETURNING user_id`,
      [factor.userId, factor.secret.ciphertext, factor.secret.keyId, factor.createdAt],
    )) as unknown[];
    return rows.length === 1;
  }

  async confirm(userId: string, secret: SealedSecret, step: number, now: Date): Promise<boolean> {
    const result = await this.factors
      .createQueryBuilder()
      .update()
      .set({ enabledAt: now, lastUsedStep: String(step) })
      .where('user_id = :userId AND enabled_at IS NULL AND secret_ciphertext = :ciphertext', {
        userId,
        ciphertext: secret.ciphertext,
      })
      .execute();
    return result.affected === 1;
  }

  async spendStep(userId: string, step: number): Promise<boolean> {
    const result = await this.factors
      .createQueryBuilder()
      .update()
      .set({ lastUsedStep: String(step) })
      .where('user_id = :userId AND (last_used_step IS NULL OR last_used_step < :step)', {
        userId,
        step,
      })
      .execute();
    return result.affected === 1;
  }

  async delete(userId: string): Promise<void> {
    await this.recoveryCodes.delete({ userId });
    await this.factors.delete({ userId });
  }

  async replaceRecoveryCodes(userId: string, codeHashes: readonly string[]): Promise<void> {
    await this.recoveryCodes.delete({ userId });
    await this.recoveryCodes.insert(
      codeHashes.map((codeHash) => ({ userId, codeHash, usedAt: null })),
    );
  }

  async spendRecoveryCode(userId: string, codeHash: string, now: Date): Promise<boolean> {
    const result = await this.recoveryCodes
      .createQueryBuilder()
      .update()
      .set({ usedAt: now })
      .where('user_id = :userId AND code_hash = :codeHash AND used_at IS NULL', {
        userId,
        codeHash,
      })
      .execute();
    return result.affected === 1;
  }

  async findSealedUnderOtherKeys(
    keyId: string,
    afterUserId: string | null,
    limit: number,
  ): Promise<TotpFactor[]> {
    const query = this.factors
      .createQueryBuilder('factor')
      .where('factor.keyId <> :keyId', { keyId })
      .orderBy('factor.userId', 'ASC')
      .limit(limit);
    if (afterUserId) query.andWhere('factor.userId > :afterUserId', { afterUserId });
    return (await query.getMany()).map(toDomain);
  }

  async reseal(userId: string, from: SealedSecret, to: SealedSecret): Promise<boolean> {
    const result = await this.factors
      .createQueryBuilder()
      .update()
      .set({ secretCiphertext: to.ciphertext, keyId: to.keyId })
      .where('user_id = :userId AND secret_ciphertext = :ciphertext', {
        userId,
        ciphertext: from.ciphertext,
      })
      .execute();
    return result.affected === 1;
  }
}

function toDomain(row: MfaFactorOrmEntity): TotpFactor {
  return {
    userId: row.userId,
    secret: { keyId: row.keyId, ciphertext: row.secretCiphertext },
    enabledAt: row.enabledAt,
    lastUsedStep: row.lastUsedStep === null ? null : Number(row.lastUsedStep),
    createdAt: row.createdAt,
  };
}
