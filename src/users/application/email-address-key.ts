import { createHash } from 'node:crypto';
import { normalizeEmail } from '../domain/email';

/**
 * What counters per address are keyed by: the SHA-256 of the trimmed, lower-cased email. The
 * email is the caller's text, and a 30 KB one must not become a 30 KB Redis key kept for a whole
 * window, nor an address sit in Redis in clear.
 */
export function emailAddressKey(email: string): string {
  return createHash('sha256').update(normalizeEmail(email)).digest('base64url');
}
