import { randomUUID } from 'node:crypto';
import type { AccountState, SessionState } from '../../src/auth/domain/access-decision';
import type { AuthStateCache } from '../../src/auth/domain/auth-state.cache';
import type { AccessClaims } from '../../src/auth/domain/tokens';
import type { UserAccount } from '../../src/users';

export interface AuthStateCacheFixture {
  /** Holding nothing yet. */
  readonly cache: AuthStateCache<UserAccount>;
}

/** Token times as the service issues them: now, for a quarter of an hour. */
/** The claims of a fresh access token of a fresh user and session. */
export function someClaims(): AccessClaims {
  const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  return {
    userId: randomUUID(),
    sessionId: randomUUID(),
    tokenId: randomUUID(),
    issuedAt,
    expiresAt: new Date(issuedAt.getTime() + 15 * 60_000),
  };
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 12, minute));

/** An account of `userId` as it was at `revision`, every field set, none of them the default. */
export function accountAt(userId: string, revision: number, changes: Partial<UserAccount> = {}) {
  const account: UserAccount = {
    id: userId,
    email: `ada.${revision}@example.com`,
    firstName: 'Ada',
    lastName: `Lovelace ${revision}`,
    role: 'user',
    disabledAt: null,
    emailVerifiedAt: at(2),
    mfaEnabled: true,
    tokensValidAfter: at(revision),
    createdAt: at(0),
    revision,
  };
  return { ...account, ...changes };
}

/** What every `AuthStateCache` does, the in-memory fake as much as Redis and its scripts. */
export function describeAuthStateCacheContract(
  name: string,
  setup: () => Promise<AuthStateCacheFixture>,
): void {
  describe(`${name} keeps the AuthStateCache contract`, () => {
    let cache: AuthStateCache<UserAccount>;
    let claims: AccessClaims;
    const activeSession = (): SessionState => ({
      active: true,
      userId: claims.userId,
      expiresAt: claims.expiresAt,
    });

    beforeEach(async () => {
      ({ cache } = await setup());
      claims = someClaims();
    });

    it('holds nothing for a token it has not seen', async () => {
      expect(await cache.read(claims)).toEqual({});
    });

    it('reads back exactly the parts it was filled with', async () => {
      const admin = accountAt(claims.userId, 3, { role: 'admin' });
      await cache.fill(claims, { session: activeSession() });
      expect(await cache.read(claims)).toEqual({ session: activeSession() });

      await cache.fill(claims, { token: 'valid', account: admin });
      expect(await cache.read(claims)).toEqual({
        token: 'valid',
        session: activeSession(),
        account: admin,
      });
    });

    it.each<[string, (userId: string) => AccountState<UserAccount>]>([
      ['disabled', (userId) => accountAt(userId, 5, { disabledAt: at(5), mfaEnabled: false })],
      ['never verified', (userId) => accountAt(userId, 1, { emailVerifiedAt: null })],
      ['deleted', () => null],
    ])('reads back a %s account and a revoked session as stored', async (_, accountOf) => {
      const account = accountOf(claims.userId);
      await cache.fill(claims, { session: { active: false }, account });

      expect(await cache.read(claims)).toEqual({ session: { active: false }, account });
    });

    it('reads back names and addresses of any characters unchanged', async () => {
      const account = accountAt(claims.userId, 1, {
        firstName: 'Zoë | "quoted" \\ 名前',
        lastName: '{"not":"json"}|0|',
        email: "o'brien+tag@example.com",
      });
      await cache.putAccount(claims.userId, account);

      expect((await cache.read(claims)).account).toEqual(account);
    });

    it('never overwrites a part it holds when filled again', async () => {
      const first = accountAt(claims.userId, 1);
      await cache.fill(claims, { token: 'valid', session: activeSession(), account: first });
      await cache.fill(claims, {
        token: 'revoked',
        session: { active: false },
        account: accountAt(claims.userId, 2),
      });

      expect(await cache.read(claims)).toEqual({
        token: 'valid',
        session: activeSession(),
        account: first,
      });
    });

    it('keeps a revoked token revoked, also against a later fill', async () => {
      await cache.fill(claims, { token: 'valid' });
      await cache.revokeToken(claims.userId, claims.tokenId, claims.expiresAt);
      await cache.fill(claims, { token: 'valid' });

      expect(await cache.read(claims)).toEqual({ token: 'revoked' });
    });

    it("holds a token's and a session's states under their user only", async () => {
      await cache.revokeToken(claims.userId, claims.tokenId, claims.expiresAt);
      await cache.putSessions(claims.userId, new Map([[claims.sessionId, { active: false }]]));
      const sameIdsOtherUser = { ...claims, userId: someClaims().userId };

      expect(await cache.read(sameIdsOtherUser)).toEqual({});
      expect(await cache.read(claims)).toEqual({ token: 'revoked', session: { active: false } });
    });

    it('keeps a revoked session revoked: no active state replaces it', async () => {
      const other = { ...someClaims(), userId: claims.userId };
      await cache.putSessions(claims.userId, new Map());
      await cache.putSessions(claims.userId, new Map([[claims.sessionId, activeSession()]]));
      expect(await cache.read(claims)).toEqual({ session: activeSession() });

      await cache.putSessions(
        claims.userId,
        new Map<string, SessionState>([
          [claims.sessionId, { active: false }],
          [other.sessionId, activeSession()],
        ]),
      );
      await cache.putSessions(claims.userId, new Map([[claims.sessionId, activeSession()]]));
      await cache.fill(claims, { session: activeSession() });

      expect(await cache.read(claims)).toEqual({ session: { active: false } });
      expect(await cache.read(other)).toEqual({ session: activeSession() });
    });

    it("replaces a user's account with one as new or newer, never with an older one", async () => {
      await cache.putAccount(claims.userId, accountAt(claims.userId, 2));
      await cache.putAccount(claims.userId, accountAt(claims.userId, 1));
      expect((await cache.read(claims)).account).toEqual(accountAt(claims.userId, 2));

      // The same revision again: a copy written before a rolled-back change gives way.
      const sameRevision = accountAt(claims.userId, 2, { firstName: 'Augusta' });
      await cache.putAccount(claims.userId, sameRevision);
      expect((await cache.read(claims)).account).toEqual(sameRevision);

      await cache.putAccount(claims.userId, accountAt(claims.userId, 10));
      expect((await cache.read(claims)).account).toEqual(accountAt(claims.userId, 10));
    });

    it('keeps a deleted account deleted, whatever comes after', async () => {
      await cache.putAccount(claims.userId, accountAt(claims.userId, 1));
      await cache.putAccount(claims.userId, null);
      await cache.putAccount(claims.userId, accountAt(claims.userId, 59));

      expect((await cache.read(claims)).account).toBeNull();
    });

    it('keeps the newer of two accounts written at once, in either order', async () => {
      const second = someClaims();
      await Promise.all([
        cache.putAccount(claims.userId, accountAt(claims.userId, 1)),
        cache.putAccount(claims.userId, accountAt(claims.userId, 2)),
        cache.putAccount(second.userId, accountAt(second.userId, 2)),
        cache.putAccount(second.userId, accountAt(second.userId, 1)),
      ]);

      expect((await cache.read(claims)).account).toEqual(accountAt(claims.userId, 2));
      expect((await cache.read(second)).account).toEqual(accountAt(second.userId, 2));
    });
  });
}
