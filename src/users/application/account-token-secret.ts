import { createHash, randomBytes } from 'node:crypto';

/** The secret a mailed link carries: 32 random bytes, base64url. Only its hash is stored. */
export function newAccountTokenSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashAccountTokenSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
