import { createHash, randomBytes } from 'node:crypto';

/**
 * A secret that works by being presented (a mailed link's token, a login's `mfaToken`): 32 random
 * bytes, base64url. Only its hash is stored, so what the stores hold cannot be presented.
 */
export function newBearerSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 is enough here: 256 random bits need no slow hash against guessing. */
export function bearerSecretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
