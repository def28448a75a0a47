/** A new password has at least this many characters. */
export const PASSWORD_MIN_LENGTH = 8;

/** bcrypt reads at most 72 bytes of a password. */
export const PASSWORD_MAX_BYTES = 72;

/**
 * Whether bcrypt reads all of `password`: it stops at 72 bytes and at a NUL, and a password it
 * would cut must never match by its prefix.
 */
export function isWhollyHashable(password: string): boolean {
  return !password.includes('\u0000') && Buffer.byteLength(password, 'utf8') <= PASSWORD_MAX_BYTES;
}
