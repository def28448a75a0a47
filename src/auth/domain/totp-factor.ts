/** A secret as it is stored: encrypted under the key `keyId` names, so keys can be rotated. */
export interface SealedSecret {
  readonly keyId: string;
  readonly ciphertext: string;
}

/** A user's TOTP second factor. */
export interface TotpFactor {
  readonly userId: string;
  readonly secret: SealedSecret;
  /** Null while the setup waits for its first code; sign-in asks for codes only once set. */
  readonly enabledAt: Date | null;
  /** The newest time step a code was accepted for: it, and every earlier step, are spent. */
  readonly lastUsedStep: number | null;
  readonly createdAt: Date;
}

/** RFC 6238 as authenticator apps expect it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps of clock drift accepted either side of now. */
export const TOTP_DRIFT_STEPS = 1;
/** The issuer authenticator apps show beside the account. */
export const TOTP_ISSUER = 'TempMessenger';

/** What a caller may offer as the second factor. */
export type SecondFactorProof = { readonly code: string } | { readonly recoveryCode: string };
