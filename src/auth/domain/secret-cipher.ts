import type { SealedSecret } from './totp-factor';

/**
 * Encrypts second-factor secrets at rest. Seals under the current key; opens anything sealed under
 * a key it still holds. `context` (the user id) is bound into the seal, so a sealed secret copied
 * to another row does not open.
 */
export abstract class SecretCipher {
  abstract get currentKeyId(): string;
  abstract seal(secret: string, context: string): SealedSecret;
  /** Throws `SecretKeyUnavailableError` when the key it was sealed under is not configured. */
  abstract open(sealed: SealedSecret, context: string): string;
}

export class SecretKeyUnavailableError extends Error {
  override readonly name = 'SecretKeyUnavailableError';
  constructor(readonly keyId: string) {
    super(
      `A second-factor secret is sealed under key ${keyId}, which is neither MFA_ENCRYPTION_KEY nor in MFA_PREVIOUS_ENCRYPTION_KEYS`,
    );
  }
}
