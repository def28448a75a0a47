import {
  InvalidCredentialsError,
  RefreshInvalidError,
  RefreshReusedError,
  SessionNotFoundError,
  TokenRevokedError,
  UserDisabledError,
  WrongTokenTypeError,
} from '../../../src/auth/domain/auth.errors';
import { TooManyRequestsError } from '../../../src/common/errors';
import { authTestKit, signedIn } from './auth-test-kit';

const DAY = 86_400_000;
const ADMIN_ID = '00000000-0000-4000-8000-00000000ad01';

describe('AuthService', () => {
  describe('register', () => {
    it('stores the account and its first session in one transaction', async () => {
      const kit = authTestKit();
      const depths: number[] = [];
      const insert = kit.sessions.insert.bind(kit.sessions);
      jest.spyOn(kit.sessions, 'insert').mockImplementation(async (session) => {
        depths.push(kit.unitOfWork.depth);
        await insert(session);
      });
      const { user, tokens } = await kit.signUp();
      expect(depths).toEqual([1]);
      expect(kit.unitOfWork.transactions).toBe(1);
      expect(kit.claimsOf(tokens.accessToken).userId).toBe(user.id);
    });
  });

  describe('refresh', () => {
    it('rotates: the new pair works and the session stays the same', async () => {
      const kit = authTestKit();
      const { tokens } = await kit.signUp();
      const next = await kit.auth.refresh(tokens.refreshToken, kit.client);
      expect(kit.claimsOf(next.accessToken).sessionId).toBe(
        kit.claimsOf(tokens.accessToken).sessionId,
      );
      await expect(kit.callerOf(next.accessToken)).resolves.toBeDefined();
    });

    it('treats an already rotated token as reuse and revokes the whole session', async () => {
      const kit = authTestKit();
      const { tokens } = await kit.signUp();
      const next = await kit.auth.refresh(tokens.refreshToken, kit.client);
      kit.clock.advance(10_001);

      await expect(kit.auth.refresh(tokens.refreshToken, kit.client)).rejects.toBeInstanceOf(
        RefreshReusedError,
      );
      await expect(kit.auth.refresh(next.refreshToken, kit.client)).rejects.toBeInstanceOf(
        RefreshInvalidError,
      );
      await expect(kit.callerOf(next.accessToken)).rejects.toBeInstanceOf(TokenRevokedError);
      const session = [...kit.sessions.rows.values()][0];
      expect(session.revokedReason).toBe('refresh_reused');
    });

    it('answers the just-rotated token again within the reuse interval: the same refresh token', async () => {
      const kit = authTestKit();
      const { tokens } = await kit.signUp();
      const next = await kit.auth.refresh(tokens.refreshToken, kit.client);
      kit.clock.advance(10_000);

      const again = await kit.auth.refresh(tokens.refreshToken, kit.client);
      expect(again.refreshToken).toBe(next.refreshToken);
      expect(again.accessToken).not.toBe(next.accessToken);
      await expect(kit.callerOf(again.accessToken)).resolves.toBeDefined();
      // The session goes on from that successor, which rotates once like any current token.
      const third = await kit.auth.refresh(next.refreshToken, kit.client);
      expect(third.refreshToken).not.toBe(next.refreshToken);
      expect((await kit.auth.refresh(next.refreshToken, kit.client)).refreshToken).toBe(
        third.refreshToken,
      );
    });

    it('treats a token two rotations back as reuse, even within the interval', async () => {
      const kit = authTestKit();
      const { tokens } = await kit.signUp();
      const next = await kit.auth.refresh(tokens.refreshToken, kit.client);
      await kit.auth.refresh(next.refreshToken, kit.client);
      await expect(kit.auth.refresh(tokens.refreshToken, kit.client)).rejects.toBeInstanceOf(
        RefreshReusedError,
      );
      expect([...kit.sessions.rows.values()][0].revokedReason).toBe('refresh_reused');
    });

    it('has no reuse interval with REFRESH_REUSE_INTERVAL=0', async () => {
      const kit = authTestKit({ REFRESH_REUSE_INTERVAL: '0' });
      const { tokens } = await kit.signUp();
      await kit.auth.refresh(tokens.refreshToken, kit.client);
      await expect(kit.auth.refresh(tokens.refreshToken, kit.client)).rejects.toBeInstanceOf(
        RefreshReusedError,
      );
    });

    it('answers two concurrent refreshes with one token the same successor', async () => {
      const kit = authTestKit();
      const { tokens } = await kit.signUp();
      const [first, second] = await Promise.all([
        kit.auth.refresh(tokens.refreshToken, kit.client),
        kit.auth.refresh(tokens.refreshToken, kit.client),
      ]);
      expect(second.refreshToken).toBe(first.refreshToken);
      expect(first.refreshToken).not.toBe(tokens.refreshToken);
    });

    it('slides the session by REFRESH_TOKEN_TTL, never past SESSION_MAX_LIFETIME from login', async () => {
      const kit = authTestKit({ REFRESH_TOKEN_TTL: '10d', SESSION_MAX_LIFETIME: '15d' });
      const { tokens } = await kit.signUp();
      const [opened] = kit.sessions.rows.values();
      const absoluteEnd = opened.createdAt.getTime() + 15 * DAY;
      expect(opened.expiresAt.getTime()).toBeLessThanOrEqual(opened.createdAt.getTime() + 10 * DAY);

      kit.clock.advance(4 * DAY);
      const slid = await kit.auth.refresh(tokens.refreshToken, kit.client);
      const [afterSlide] = kit.sessions.rows.values();
      expect(afterSlide.expiresAt.getTime()).toBe(absoluteEnd - DAY - (absoluteEnd % 1000));

      kit.clock.advance(8 * DAY);
      const capped = await kit.auth.refresh(slid.refreshToken, kit.client);
      const [afterCap] = kit.sessions.rows.values();
      expect(afterCap.expiresAt.getTime()).toBe(absoluteEnd - (absoluteEnd % 1000));
      // The refresh token ends with the session.
      expect(kit.jwt.decode<{ exp: number }>(capped.refreshToken).exp * 1000).toBe(
        afterCap.expiresAt.getTime(),
      );

      kit.clock.advance(3 * DAY);
      await expect(kit.auth.refresh(capped.refreshToken, kit.client)).rejects.toBeInstanceOf(
        RefreshInvalidError,
      );
    });

    it('refuses the current token of a logged-out session as invalid, not reused', async () => {
      const kit = authTestKit();
      const { tokens } = await kit.signUp();
      await kit.auth.logout(await kit.callerOf(tokens.accessToken), kit.client);
      await expect(kit.auth.refresh(tokens.refreshToken, kit.client)).rejects.toBeInstanceOf(
        RefreshInvalidError,
      );
    });

    it('refuses an access token and garbage', async () => {
      const kit = authTestKit();
      const { tokens } = await kit.signUp();
      await expect(kit.auth.refresh(tokens.accessToken, kit.client)).rejects.toBeInstanceOf(
        WrongTokenTypeError,
      );
      await expect(kit.auth.refresh('garbage', kit.client)).rejects.toBeInstanceOf(
        RefreshInvalidError,
      );
    });
  });

  describe('verifyLogin', () => {
    it('locks an email after too many failures, even for the right password', async () => {
      const kit = authTestKit();
      await kit.signUp();
      for (let i = 0; i < 3; i++) {
        await expect(
          kit.auth.verifyLogin('ada@example.com', 'wrong', kit.client),
        ).rejects.toBeInstanceOf(InvalidCredentialsError);
      }
      await expect(
        kit.auth.verifyLogin(' ADA@example.com', 'password-1', kit.client),
      ).rejects.toBeInstanceOf(TooManyRequestsError);
    });

    it('resets the failure count on success', async () => {
      const kit = authTestKit();
      await kit.signUp();
      for (let i = 0; i < 2; i++) {
        await kit.auth.verifyLogin('ada@example.com', 'wrong', kit.client).catch(() => undefined);
      }
      await kit.auth.verifyLogin('ada@example.com', 'password-1', kit.client);
      for (let i = 0; i < 3; i++) {
        await expect(
          kit.auth.verifyLogin('ada@example.com', 'wrong', kit.client),
        ).rejects.toBeInstanceOf(InvalidCredentialsError);
      }
    });

    it('records each attempt as an auth event with the IP, and the user once one is known', async () => {
      const kit = authTestKit();
      const { user } = await kit.signUp();
      kit.authEvents.entries.splice(0); // what registering recorded
      await kit.auth.verifyLogin('nobody@example.com', 'password-1', kit.client).catch(() => null);
      const account = await kit.auth.verifyLogin('ada@example.com', 'password-1', kit.client);
      await kit.auth.login(account, kit.client);
      expect(kit.authEvents.entries).toEqual([
        { event: 'login.failed', ip: '127.0.0.1', reason: 'invalid_credentials' },
        { event: 'login.succeeded', userId: user.id, ip: '127.0.0.1' },
        {
          event: 'session.opened',
          userId: user.id,
          ip: '127.0.0.1',
          sessionId: expect.any(String),
        },
      ]);
    });

    it('keeps a failed login as an audit row with no actor, and a login as the user’s own', async () => {
      const kit = authTestKit();
      const { user } = await kit.signUp();
      await kit.auth.verifyLogin('nobody@example.com', 'password-1', kit.client).catch(() => null);
      await kit.auth.login(
        await kit.auth.verifyLogin('ada@example.com', 'password-1', kit.client),
        kit.client,
      );
      const rows = kit.authEvents.rows.events.filter((row) => row.event.startsWith('login.'));
      expect(rows).toEqual([
        expect.objectContaining({
          event: 'login.failed',
          userId: null,
          actorId: null,
          ip: '127.0.0.1',
          userAgent: 'unit-test',
          requestId: 'req-1',
          details: { reason: 'invalid_credentials' },
        }),
        expect.objectContaining({ event: 'login.succeeded', userId: user.id, actorId: user.id }),
      ]);
    });

    it('answers a failed login as refused even when its audit row cannot be written', async () => {
      const kit = authTestKit();
      await kit.signUp();
      jest.spyOn(kit.authEvents.rows, 'append').mockRejectedValue(new Error('database away'));
      await expect(
        kit.auth.verifyLogin('ada@example.com', 'wrong', kit.client),
      ).rejects.toBeInstanceOf(InvalidCredentialsError);
      expect(kit.authEvents.entries.at(-1)).toMatchObject({ event: 'login.failed' });
    });

    it('tells a disabled account only after the right password', async () => {
      const kit = authTestKit();
      const { user } = await kit.signUp();
      await kit.users.disable(user.id, ADMIN_ID, kit.client);
      await expect(
        kit.auth.verifyLogin('ada@example.com', 'wrong', kit.client),
      ).rejects.toBeInstanceOf(InvalidCredentialsError);
      await expect(
        kit.auth.verifyLogin('ada@example.com', 'password-1', kit.client),
      ).rejects.toBeInstanceOf(UserDisabledError);
    });
  });

  it('opens no session for a login whose account changed since its password was checked', async () => {
    const kit = authTestKit();
    const { user } = await kit.signUp();
    const checked = await kit.auth.verifyLogin('ada@example.com', 'password-1', kit.client);
    kit.clock.advance(1000);
    await kit.users.changePassword(user.id, 'password-1', 'password-2', kit.client);
    await expect(kit.auth.login(checked, kit.client)).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );

    await kit.users.disable(user.id, ADMIN_ID, kit.client);
    const stale = {
      ...checked,
      tokensValidAfter: (await kit.users.getAccount(user.id)).tokensValidAfter,
    };
    await expect(kit.auth.login(stale, kit.client)).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  it('ends every session at a password change, and opens a new one', async () => {
    const kit = authTestKit();
    const { tokens, user } = await kit.signUp();
    const other = signedIn(await kit.auth.login(user, kit.client));
    const caller = await kit.callerOf(tokens.accessToken);

    const fresh = await kit.auth.changePassword(caller, 'password-1', 'password-2', kit.client);

    for (const old of [tokens.accessToken, other.tokens.accessToken]) {
      await expect(kit.callerOf(old)).rejects.toBeInstanceOf(TokenRevokedError);
    }
    await expect(kit.callerOf(fresh.accessToken)).resolves.toBeDefined();
    expect(await kit.auth.listSessions(caller)).toHaveLength(1);
  });

  it('counts every session it ends at logout-all', async () => {
    const kit = authTestKit();
    const { tokens, user } = await kit.signUp();
    await kit.auth.login(user, kit.client);
    await kit.auth.login(user, kit.client);
    const caller = await kit.callerOf(tokens.accessToken);
    await expect(kit.auth.logoutAll(caller, kit.client)).resolves.toBe(3);
    await expect(kit.auth.listSessions(caller)).resolves.toEqual([]);
  });

  it('does not let a user end another user’s session', async () => {
    const kit = authTestKit();
    const ada = await kit.signUp();
    const bob = await kit.signUp('bob@example.com');
    const adaCaller = await kit.callerOf(ada.tokens.accessToken);
    const bobSession = kit.claimsOf(bob.tokens.accessToken).sessionId;
    await expect(kit.auth.endSession(adaCaller, bobSession, kit.client)).rejects.toBeInstanceOf(
      SessionNotFoundError,
    );
    await expect(kit.auth.endSession(adaCaller, 'not-a-uuid', kit.client)).rejects.toBeInstanceOf(
      SessionNotFoundError,
    );
    await expect(kit.callerOf(bob.tokens.accessToken)).resolves.toBeDefined();
  });
});
