import { randomUUID } from 'node:crypto';
import type { BlacklistedToken, TokenBlacklist } from '../../src/auth/domain/token-blacklist';

export interface TokenBlacklistFixture {
  /** Holding no token yet. */
  readonly blacklist: TokenBlacklist;
  /** A new user for tokens to belong to: the record refuses a token without its user. */
  registerUser(): Promise<string>;
}

const T0 = Date.parse('2026-11-25T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

/** What every `TokenBlacklist` does, the in-memory fake as much as PostgreSQL. */
export function describeTokenBlacklistContract(
  name: string,
  setup: () => Promise<TokenBlacklistFixture>,
): void {
  describe(`${name} keeps the TokenBlacklist contract`, () => {
    let blacklist: TokenBlacklist;
    let userId: string;

    beforeEach(async () => {
      const fixture = await setup();
      blacklist = fixture.blacklist;
      userId = await fixture.registerUser();
    });

    const aToken = (expiresInSeconds = 900): BlacklistedToken => ({
      jti: randomUUID(),
      userId,
      expiresAt: at(expiresInSeconds),
    });

    it('holds the tokens added to it, and no other', async () => {
      const token = aToken();
      await blacklist.add(token);

      expect(await blacklist.contains(token.jti)).toBe(true);
      expect(await blacklist.contains(randomUUID())).toBe(false);
    });

    it('takes a token twice, also twice at once, and holds it once', async () => {
      const token = aToken(10);
      await Promise.all([blacklist.add(token), blacklist.add(token)]);
      await blacklist.add(token);

      expect(await blacklist.contains(token.jti)).toBe(true);
      expect(await blacklist.deleteExpired(at(11), 10)).toBe(1);
      expect(await blacklist.contains(token.jti)).toBe(false);
    });

    it('deletes tokens that expired before a time, at most a batch at once', async () => {
      const [endsAt10, endsAt20, endsAt30, endsAt100] = [10, 20, 30, 100].map((seconds) =>
        aToken(seconds),
      );
      for (const token of [endsAt10, endsAt20, endsAt30, endsAt100]) await blacklist.add(token);

      expect(await blacklist.deleteExpired(at(30), 1)).toBe(1);
      expect(await blacklist.deleteExpired(at(30), 10)).toBe(1);
      expect(await blacklist.deleteExpired(at(30), 10)).toBe(0);

      expect(await blacklist.contains(endsAt10.jti)).toBe(false);
      expect(await blacklist.contains(endsAt20.jti)).toBe(false);
      expect(await blacklist.contains(endsAt30.jti)).toBe(true);
      expect(await blacklist.contains(endsAt100.jti)).toBe(true);
    });
  });
}
