import { randomBytes } from 'node:crypto';
import type { AccountToken, AccountTokenPurpose } from '../../src/users/domain/account-token';
import type { AccountTokenRepository } from '../../src/users/domain/account-token.repository';

export interface AccountTokenRepositoryFixture {
  /** Holding no token yet. */
  readonly tokens: AccountTokenRepository;
  /** A new user for tokens to belong to: the record refuses a token without its user. */
  registerUser(): Promise<string>;
}

const T0 = Date.parse('2026-12-05T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

/** What every `AccountTokenRepository` does, the in-memory fake as much as PostgreSQL. */
export function describeAccountTokenRepositoryContract(
  name: string,
  setup: () => Promise<AccountTokenRepositoryFixture>,
): void {
  describe(`${name} keeps the AccountTokenRepository contract`, () => {
    let tokens: AccountTokenRepository;
    let userId: string;

    beforeEach(async () => {
      const fixture = await setup();
      tokens = fixture.tokens;
      userId = await fixture.registerUser();
    });

    async function aToken(
      purpose: AccountTokenPurpose = 'password_reset',
      expiresInSeconds = 1800,
    ): Promise<AccountToken> {
      const token: AccountToken = {
        hash: randomBytes(32).toString('hex'),
        purpose,
        userId,
        email: 'ada@example.com',
        expiresAt: at(expiresInSeconds),
        createdAt: at(0),
      };
      await tokens.insert(token);
      return token;
    }

    it('grants a token once, for its purpose, before its expiry', async () => {
      const token = await aToken('email_verification', 60);
      const grant = { userId, email: 'ada@example.com' };

      expect(await tokens.findUsable(token.hash, 'password_reset', at(1))).toBeNull();
      expect(await tokens.consume(token.hash, 'email_change', at(1))).toBeNull();
      expect(await tokens.findUsable(token.hash, 'email_verification', at(1))).toEqual(grant);
      expect(await tokens.consume(token.hash, 'email_verification', at(1))).toEqual(grant);
      expect(await tokens.consume(token.hash, 'email_verification', at(2))).toBeNull();
      expect(await tokens.findUsable(token.hash, 'email_verification', at(2))).toBeNull();
    });

    it('grants nothing for an unknown hash or once the token has expired', async () => {
      const token = await aToken('password_reset', 60);
      expect(await tokens.consume('0'.repeat(64), 'password_reset', at(1))).toBeNull();
      expect(await tokens.findUsable(token.hash, 'password_reset', at(60))).toBeNull();
      expect(await tokens.consume(token.hash, 'password_reset', at(60))).toBeNull();
    });

    it('lets exactly one of concurrent uses of a token have the grant', async () => {
      const token = await aToken();
      const grants = await Promise.all(
        Array.from({ length: 5 }, () => tokens.consume(token.hash, 'password_reset', at(1))),
      );
      expect(grants.filter((grant) => grant !== null)).toHaveLength(1);
    });

    it("revokes the user's unused tokens of one purpose, and no other", async () => {
      const [first, second, used] = [await aToken(), await aToken(), await aToken()];
      const verification = await aToken('email_verification');
      await tokens.consume(used.hash, 'password_reset', at(1));

      expect(await tokens.revokeUnused(userId, 'password_reset', at(2))).toBe(2);
      expect(await tokens.findUsable(first.hash, 'password_reset', at(3))).toBeNull();
      expect(await tokens.findUsable(second.hash, 'password_reset', at(3))).toBeNull();
      expect(
        await tokens.findUsable(verification.hash, 'email_verification', at(3)),
      ).not.toBeNull();
    });

    it('deletes used and expired tokens, at most a batch at once', async () => {
      const used = await aToken('password_reset', 1800);
      await aToken('password_reset', 10);
      const live = await aToken('email_change', 1800);
      await tokens.consume(used.hash, 'password_reset', at(1));

      expect(await tokens.deleteSpent(at(20), 1)).toBe(1);
      expect(await tokens.deleteSpent(at(20), 10)).toBe(1);
      expect(await tokens.deleteSpent(at(20), 10)).toBe(0);
      expect(await tokens.findUsable(live.hash, 'email_change', at(20))).not.toBeNull();
    });
  });
}
