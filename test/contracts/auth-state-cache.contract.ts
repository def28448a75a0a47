import { randomUUID } from 'node:crypto';
import type { SessionState, UserState } from '../../src/auth/domain/access-decision';
import type { AuthStateCache } from '../../src/auth/domain/auth-state.cache';
import type { AccessClaims } from '../../src/auth/domain/tokens';

export interface AuthStateCacheFixture {
  /** Holding nothing yet. */
  readonly cache: AuthStateCache;
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

const passwordChangedAt = (minute: number) => new Date(Date.UTC(2026, 10, 25, 12, minute));
const activeUser = (minute: number): UserState => ({
  active: true,
  role: 'user',
  tokensValidAfter: passwordChangedAt(minute),
});

/** What every `AuthStateCache` does, the in-memory fake as much as Redis and its scripts. */
export function describeAuthStateCacheContract(
  name: string,
  setup: () => Promise<AuthStateCacheFixture>,
): void {
  describe(`${name} keeps the AuthStateCache contract`, () => {
    let cache: AuthStateCache;
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
      const admin: UserState = { active: true, role: 'admin', tokensValidAfter: claims.issuedAt };
      await cache.fill(claims, { session: activeSession() });
      expect(await cache.read(claims)).toEqual({ session: activeSession() });

      await cache.fill(claims, { token: 'valid', user: admin });
      expect(await cache.read(claims)).toEqual({
        token: 'valid',
        session: activeSession(),
        user: admin,
      });
    });

    it.each<[string, UserState]>([
      ['disabled', { active: false, tokensValidAfter: passwordChangedAt(5) }],
      ['deleted', { active: false, tokensValidAfter: null }],
    ])('reads back a %s user and a revoked session as stored', async (_, user) => {
      await cache.fill(claims, { session: { active: false }, user });

      expect(await cache.read(claims)).toEqual({ session: { active: false }, user });
    });

    it('never overwrites a part it holds when filled again', async () => {
      await cache.fill(claims, { token: 'valid', session: activeSession(), user: activeUser(1) });
      await cache.fill(claims, {
        token: 'revoked',
        session: { active: false },
        user: activeUser(2),
      });

      expect(await cache.read(claims)).toEqual({
        token: 'valid',
        session: activeSession(),
        user: activeUser(1),
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

    it("replaces a user's state with one as new or newer, never with an older one", async () => {
      await cache.putUser(claims.userId, activeUser(2));
      await cache.putUser(claims.userId, activeUser(1));
      expect((await cache.read(claims)).user).toEqual(activeUser(2));

      const disabledAtTheSameTime: UserState = {
        active: false,
        tokensValidAfter: passwordChangedAt(2),
      };
      await cache.putUser(claims.userId, disabledAtTheSameTime);
      expect((await cache.read(claims)).user).toEqual(disabledAtTheSameTime);

      await cache.putUser(claims.userId, activeUser(3));
      expect((await cache.read(claims)).user).toEqual(activeUser(3));
    });

    it('keeps a deleted user deleted, whatever state comes after', async () => {
      const deleted: UserState = { active: false, tokensValidAfter: null };
      await cache.putUser(claims.userId, activeUser(1));
      await cache.putUser(claims.userId, deleted);
      await cache.putUser(claims.userId, activeUser(59));

      expect((await cache.read(claims)).user).toEqual(deleted);
    });

    it('keeps the newer of two user states written at once, in either order', async () => {
      const second = someClaims();
      await Promise.all([
        cache.putUser(claims.userId, activeUser(1)),
        cache.putUser(claims.userId, activeUser(2)),
        cache.putUser(second.userId, activeUser(2)),
        cache.putUser(second.userId, activeUser(1)),
      ]);

      expect((await cache.read(claims)).user).toEqual(activeUser(2));
      expect((await cache.read(second)).user).toEqual(activeUser(2));
    });
  });
}
