import { PasswordHasher } from '../../../src/users/domain/password-hasher';

/** Reversible "hashing" that records how much comparison work was spent. */
export class FakePasswordHasher extends PasswordHasher {
  comparisons = 0;

  async hash(password: string): Promise<string> {
    return `hashed:${password}`;
  }

  async verify(password: string, hash: string): Promise<boolean> {
    this.comparisons++;
    return hash === `hashed:${password}`;
  }

  async verifyAgainstDummy(): Promise<false> {
    this.comparisons++;
    return false;
  }
}
