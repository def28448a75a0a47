import { createHash, randomBytes } from 'node:crypto';

/** 32 characters without 0/O and 1/I, so a code copied by hand is read back right. */
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const RECOVERY_CODE_LENGTH = 10;
export const RECOVERY_CODE_COUNT = 10;

/** A fresh set of recovery codes (50 random bits each), shown to the user once. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () =>
    // 256 is a multiple of 32, so `byte % 32` picks every character equally often.
    Array.from(randomBytes(RECOVERY_CODE_LENGTH), (byte) => ALPHABET[byte % ALPHABET.length]).join(
      '',
    ),
  );
}

/** A code as the user typed it, in any case, with spaces and hyphens; null if it cannot be one. */
export function normalizeRecoveryCode(input: string): string | null {
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  return code.length === RECOVERY_CODE_LENGTH && [...code].every((c) => ALPHABET.includes(c))
    ? code
    : null;
}

/**
 * Only this is stored. Salted with the user id, so one table of guesses cannot be tried against
 * every account; a code alone is worth nothing without the account's password either.
 */
export function recoveryCodeHash(userId: string, code: string): string {
  return createHash('sha256').update(`${userId}:${code}`).digest('hex');
}
