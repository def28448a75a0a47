export abstract class PasswordHasher {
  abstract hash(password: string): Promise<string>;
  /** Compares in constant time for a given hash; never throws for a mismatch. */
  abstract verify(password: string, hash: string): Promise<boolean>;
  /** Spends the same work as `verify` without a real hash, so unknown accounts take as long. */
  abstract verifyAgainstDummy(password: string): Promise<false>;
}
