import { ServiceUnavailableError } from '../../../src/common/errors';
import { type BlacklistedToken, TokenBlacklist } from '../../../src/auth/domain/token-blacklist';

export class InMemoryTokenBlacklist extends TokenBlacklist {
  readonly entries = new Map<string, BlacklistedToken>();
  /** Makes every call fail as the PostgreSQL adapter does when PostgreSQL is unreachable. */
  unreachable = false;

  async add(token: BlacklistedToken): Promise<void> {
    this.check();
    if (!this.entries.has(token.jti)) this.entries.set(token.jti, token);
  }

  async contains(jti: string): Promise<boolean> {
    this.check();
    return this.entries.has(jti);
  }

  async deleteExpired(now: Date, limit: number): Promise<number> {
    const expired = [...this.entries.values()]
      .filter((entry) => entry.expiresAt < now)
      .slice(0, limit);
    for (const entry of expired) this.entries.delete(entry.jti);
    return expired.length;
  }

  private check(): void {
    if (this.unreachable) throw new ServiceUnavailableError();
  }
}
