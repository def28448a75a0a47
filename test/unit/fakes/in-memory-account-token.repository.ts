import type {
  AccountToken,
  AccountTokenGrant,
  AccountTokenPurpose,
} from '../../../src/users/domain/account-token';
import { AccountTokenRepository } from '../../../src/users/domain/account-token.repository';

interface Row extends AccountToken {
  usedAt: Date | null;
}

export class InMemoryAccountTokenRepository extends AccountTokenRepository {
  readonly rows = new Map<string, Row>();

  async insert(token: AccountToken): Promise<void> {
    if (this.rows.has(token.hash)) throw new Error('duplicate token hash');
    this.rows.set(token.hash, { ...token, usedAt: null });
  }

  async findUsable(
    hash: string,
    purpose: AccountTokenPurpose,
    now: Date,
  ): Promise<AccountTokenGrant | null> {
    const row = this.rows.get(hash);
    return row && isUsable(row, purpose, now) ? { userId: row.userId, email: row.email } : null;
  }

  /** Checks and marks in one step, as the conditional UPDATE does: one concurrent use wins. */
  async consume(
    hash: string,
    purpose: AccountTokenPurpose,
    now: Date,
  ): Promise<AccountTokenGrant | null> {
    const row = this.rows.get(hash);
    if (!row || !isUsable(row, purpose, now)) return null;
    row.usedAt = now;
    return { userId: row.userId, email: row.email };
  }

  async revokeUnused(userId: string, purpose: AccountTokenPurpose, now: Date): Promise<number> {
    let revoked = 0;
    for (const row of this.rows.values()) {
      if (row.userId === userId && row.purpose === purpose && row.usedAt === null) {
        row.usedAt = now;
        revoked++;
      }
    }
    return revoked;
  }

  async deleteSpent(now: Date, limit: number): Promise<number> {
    const spent = [...this.rows.values()]
      .filter((row) => row.usedAt !== null || row.expiresAt < now)
      .slice(0, limit);
    for (const row of spent) this.rows.delete(row.hash);
    return spent.length;
  }
}

function isUsable(row: Row, purpose: AccountTokenPurpose, now: Date): boolean {
  return row.purpose === purpose && row.usedAt === null && row.expiresAt > now;
}
