import { MfaFactorRepository } from '../../../src/auth/domain/mfa-factor.repository';
import type { SealedSecret, TotpFactor } from '../../../src/auth/domain/totp-factor';

/** Each conditional write checks and writes with no `await` between, as one SQL statement does. */
export class InMemoryMfaFactorRepository extends MfaFactorRepository {
  readonly factors = new Map<string, TotpFactor>();
  /** Recovery code hashes by user, each with the time it was used or null. */
  readonly recoveryCodes = new Map<string, Map<string, Date | null>>();

  async findByUser(userId: string): Promise<TotpFactor | null> {
    return this.factors.get(userId) ?? null;
  }

  async savePending(factor: TotpFactor): Promise<boolean> {
    if (this.factors.get(factor.userId)?.enabledAt) return false;
    this.factors.set(factor.userId, { ...factor, enabledAt: null, lastUsedStep: null });
    return true;
  }

  async confirm(userId: string, secret: SealedSecret, step: number, now: Date): Promise<boolean> {
    const factor = this.factors.get(userId);
    if (!factor || factor.enabledAt || factor.secret.ciphertext !== secret.ciphertext) return false;
    this.factors.set(userId, { ...factor, enabledAt: now, lastUsedStep: step });
    return true;
  }

  async spendStep(userId: string, step: number): Promise<boolean> {
    const factor = this.factors.get(userId);
    if (!factor || (factor.lastUsedStep !== null && factor.lastUsedStep >= step)) return false;
    this.factors.set(userId, { ...factor, lastUsedStep: step });
    return true;
  }

  async delete(userId: string): Promise<void> {
    this.factors.delete(userId);
    this.recoveryCodes.delete(userId);
  }

  async replaceRecoveryCodes(userId: string, codeHashes: readonly string[]): Promise<void> {
    this.recoveryCodes.set(userId, new Map(codeHashes.map((hash) => [hash, null])));
  }

  async spendRecoveryCode(userId: string, codeHash: string, now: Date): Promise<boolean> {
    const codes = this.recoveryCodes.get(userId);
    if (!codes || codes.get(codeHash) !== null) return false;
    codes.set(codeHash, now);
    return true;
  }

  async findSealedUnderOtherKeys(
    keyId: string,
    afterUserId: string | null,
    limit: number,
  ): Promise<TotpFactor[]> {
    return [...this.factors.values()]
      .filter((factor) => factor.secret.keyId !== keyId)
      .filter((factor) => afterUserId === null || factor.userId > afterUserId)
      .sort((a, b) => (a.userId < b.userId ? -1 : 1))
      .slice(0, limit);
  }

  async reseal(userId: string, from: SealedSecret, to: SealedSecret): Promise<boolean> {
    const factor = this.factors.get(userId);
    if (!factor || factor.secret.ciphertext !== from.ciphertext) return false;
    this.factors.set(userId, { ...factor, secret: to });
    return true;
  }
}
