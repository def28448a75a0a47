import type { SealedSecret, TotpFactor } from './totp-factor';

/** Second factors and their recovery codes (only hashes of the codes). */
export abstract class MfaFactorRepository {
  abstract findByUser(userId: string): Promise<TotpFactor | null>;
  /**
   * Stores a setup waiting for its first code, replacing an earlier unconfirmed one. Returns false,
   * changing nothing, when the user's factor is enabled already.
   */
  abstract savePending(factor: TotpFactor): Promise<boolean>;
  /**
   * Enables the pending factor sealed as `secret`, with `step` as its first used step. False when
   * it is no longer that pending setup (a newer setup replaced it, or it was enabled meanwhile).
   */
  abstract confirm(userId: string, secret: SealedSecret, step: number, now: Date): Promise<boolean>;
  /**
   * Spends `step`, provided it is later than the last spent one, in one conditional write: of two
   * concurrent uses of one code exactly one succeeds.
   */
  abstract spendStep(userId: string, step: number): Promise<boolean>;
  /** Removes the factor and its recovery codes. */
  abstract delete(userId: string): Promise<void>;
  abstract replaceRecoveryCodes(userId: string, codeHashes: readonly string[]): Promise<void>;
  /** Spends one unused recovery code; of two concurrent uses exactly one succeeds. */
  abstract spendRecoveryCode(userId: string, codeHash: string, now: Date): Promise<boolean>;
  /** Factors sealed under another key than `keyId`, by user id after `afterUserId`. */
  abstract findSealedUnderOtherKeys(
    keyId: string,
    afterUserId: string | null,
    limit: number,
  ): Promise<TotpFactor[]>;
  /** Replaces the sealed secret, provided it is still `from`; false when it changed meanwhile. */
  abstract reseal(userId: string, from: SealedSecret, to: SealedSecret): Promise<boolean>;
}
