import { TokenRevokedError } from '../../../src/auth/domain/auth.errors';
import { ServiceUnavailableError } from '../../../src/common/errors';
import { authTestKit } from './auth-test-kit';
import { entryOf } from '../fakes/in-memory-auth-state.cache';

describe('AccessCheckService', () => {
  it('answers from the record on a cold cache, then from the cache', async () => {
    const kit = authTestKit();
    const { tokens, user } = await kit.signUp();
    const claims = kit.claimsOf(tokens.accessToken);

    const principal = await kit.accessCheck.authenticate(claims);
    expect(principal).toEqual({
      userId: user.id,
      sessionId: claims.sessionId,
      tokenId: claims.tokenId,
      tokenExpiresAt: claims.expiresAt,
      role: 'user',
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(kit.cache.sessions.get(entryOf(claims.userId, claims.sessionId))).toEqual(
      expect.objectContaining({ active: true }),
    );

    // With the record unreachable, a warm cache still answers.
    kit.blacklist.unreachable = true;
    await expect(kit.accessCheck.authenticate(claims)).resolves.toEqual(principal);
  });

  it('answers from the record alone when the cache is unreachable', async () => {
    const kit = authTestKit();
    const { tokens } = await kit.signUp();
    kit.cache.unreachable = true;
    await expect(kit.accessCheck.authenticate(kit.claimsOf(tokens.accessToken))).resolves.toEqual(
      expect.objectContaining({ role: 'user' }),
    );
  });

  it('fails as unavailable, never allowed, when neither store answers', async () => {
    const kit = authTestKit();
    const { tokens } = await kit.signUp();
    kit.cache.unreachable = true;
    kit.blacklist.unreachable = true;
    await expect(
      kit.accessCheck.authenticate(kit.claimsOf(tokens.accessToken)),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('keeps a logged-out token revoked after the cache loses its memory', async () => {
    const kit = authTestKit();
    const { tokens, user } = await kit.signUp();
    const claims = kit.claimsOf(tokens.accessToken);
    const principal = await kit.accessCheck.authenticate(claims);
    await kit.auth.logout(principal, kit.client);

    await expect(kit.accessCheck.authenticate(claims)).rejects.toBeInstanceOf(TokenRevokedError);
    kit.cache.flush();
    await expect(kit.accessCheck.authenticate(claims)).rejects.toBeInstanceOf(TokenRevokedError);
    expect(kit.blacklist.entries.get(claims.tokenId)).toEqual({
      jti: claims.tokenId,
      userId: user.id,
      expiresAt: claims.expiresAt,
    });
  });

  it('never lets a cache fill put back an answer that a revocation replaced', async () => {
    const kit = authTestKit();
    const { tokens } = await kit.signUp();
    const claims = kit.claimsOf(tokens.accessToken);
    await kit.cache.putSessions(claims.userId, new Map([[claims.sessionId, { active: false }]]));
    await kit.cache.fill(claims, {
      session: { active: true, userId: claims.userId, expiresAt: new Date(8.64e15) },
    });
    await expect(kit.accessCheck.authenticate(claims)).rejects.toBeInstanceOf(TokenRevokedError);
  });
});
