import { TokenRevokedError } from '../../../src/auth/domain/auth.errors';
import { ServiceUnavailableError } from '../../../src/common/errors';
import { authTestKit } from './auth-test-kit';
import { entryOf } from '../fakes/in-memory-auth-state.cache';

describe('AccessCheckService', () => {
  it('answers from the record on a cold cache, then from the cache', async () => {
    const kit = authTestKit();
    const { tokens, user } = await kit.signUp();
    const claims = kit.claimsOf(tokens.accessToken);

    const caller = await kit.accessCheck.authenticate(claims);
    expect(caller).toEqual({
      principal: {
        userId: user.id,
        sessionId: claims.sessionId,
        tokenId: claims.tokenId,
        tokenExpiresAt: claims.expiresAt,
        role: 'user',
      },
      account: user,
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(kit.cache.sessions.get(entryOf(claims.userId, claims.sessionId))).toEqual(
      expect.objectContaining({ active: true }),
    );

    // With the record unreachable, a warm cache still answers.
    kit.blacklist.unreachable = true;
    await expect(kit.accessCheck.authenticate(claims)).resolves.toEqual(caller);
  });

  it('hands over the account that decided access, as changed a moment ago, from the cache', async () => {
    const kit = authTestKit();
    const { tokens, user } = await kit.signUp();
    const claims = kit.claimsOf(tokens.accessToken);
    await kit.accessCheck.authenticate(claims);
    await new Promise((resolve) => setImmediate(resolve));
    expect(kit.cache.accounts.get(user.id)).toEqual(user);

    const renamed = await kit.users.updateProfile(user.id, { firstName: 'Augusta' });
    expect(kit.cache.accounts.get(user.id)).toEqual(renamed);
    await expect(kit.accessCheck.authenticate(claims)).resolves.toMatchObject({
      account: { firstName: 'Augusta', revision: user.revision + 1 },
    });
  });

  it('answers from the record alone when the cache is unreachable', async () => {
    const kit = authTestKit();
    const { tokens } = await kit.signUp();
    kit.cache.unreachable = true;
    await expect(kit.callerOf(tokens.accessToken)).resolves.toEqual(
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
    await kit.auth.logout(await kit.callerOf(tokens.accessToken), kit.client);

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
