import { loadConfig } from '../../../src/common/config';
import { ServiceUnavailableError, ValidationFailedError } from '../../../src/common/errors';
import { UsersService } from '../../../src/users';
import type { AccessRevocation } from '../../../src/users';
import { UserNotFoundError, WrongPasswordError } from '../../../src/users/domain/user.errors';
import { FakePasswordHasher } from '../fakes/fake-password.hasher';
import { FixedClock } from '../fakes/fixed.clock';
import { ImmediateUnitOfWork } from '../fakes/immediate.unit-of-work';
import { InMemoryRateLimiterFactory } from '../fakes/in-memory-rate-limiter.factory';
import { InMemoryUserRepository } from '../fakes/in-memory-user.repository';
import { RecordingAuthEventLog } from '../fakes/recording-auth-event.log';

const client = { ip: '203.0.113.7', userAgent: 'unit-test', requestId: 'req-1' };
const adminId = '00000000-0000-4000-8000-00000000ad01';

describe('UsersService', () => {
  let users: InMemoryUserRepository;
  let hasher: FakePasswordHasher;
  let unitOfWork: ImmediateUnitOfWork;
  let clock: FixedClock;
  let authEvents: RecordingAuthEventLog;
  let service: UsersService;

  beforeEach(() => {
    users = new InMemoryUserRepository();
    hasher = new FakePasswordHasher();
    unitOfWork = new ImmediateUnitOfWork();
    clock = new FixedClock();
    authEvents = new RecordingAuthEventLog(unitOfWork, clock);
    service = new UsersService(
      users,
      hasher,
      unitOfWork,
      clock,
      loadConfig({ LOGIN_MAX_FAILURES: '3' }),
      new InMemoryRateLimiterFactory(),
      authEvents,
    );
  });

  const register = (email = 'Ada@Example.com ') =>
    service.register({ firstName: 'Ada', lastName: 'Lovelace', email, password: 'password-1' });

  it('stores the email trimmed and lower-cased, and never returns the hash', async () => {
    const account = await register();
    expect(account.email).toBe('ada@example.com');
    expect(account).not.toHaveProperty('passwordHash');
    expect(users.rows.get(account.id)?.passwordHash).toBe('hashed:password-1');
  });

  describe('verifyCredentials', () => {
    it('opens the account with the right password, whatever the email case', async () => {
      const account = await register();
      await expect(service.verifyCredentials(' ADA@example.com', 'password-1')).resolves.toEqual({
        opened: account,
      });
    });

    it.each([
      ['an unknown email', 'nobody@example.com', 'password-1', false],
      ['a wrong password', 'ada@example.com', 'password-2', true],
      [
        'a password longer than 72 bytes whose prefix matches',
        'ada@example.com',
        `password-1${'x'.repeat(70)}`,
        true,
      ],
      ['a password with a NUL byte', 'ada@example.com', 'password-1\u0000', true],
    ])('refuses %s after exactly one comparison', async (_case, email, password, known) => {
      const account = await register();
      hasher.comparisons = 0;
      await expect(service.verifyCredentials(email, password)).resolves.toEqual({
        opened: null,
        refusedUserId: known ? account.id : null,
      });
      expect(hasher.comparisons).toBe(1);
    });
  });

  describe('changePassword', () => {
    it('refuses a wrong current password and changes nothing', async () => {
      const account = await register();
      const listener = { accessRevoked: jest.fn() };
      service.addLifecycleListener(listener);
      await expect(
        service.changePassword(account.id, 'nope', 'password-2', client),
      ).rejects.toBeInstanceOf(WrongPasswordError);
      expect(users.rows.get(account.id)?.passwordHash).toBe('hashed:password-1');
      expect(listener.accessRevoked).not.toHaveBeenCalled();
    });

    it('moves the token cutoff and revokes access inside the same transaction', async () => {
      const account = await register();
      clock.advance(60_000);
      const seen: { revocation: AccessRevocation; depth: number }[] = [];
      service.addLifecycleListener({
        accessRevoked: async (revocation) => {
          seen.push({ revocation, depth: unitOfWork.depth });
        },
      });
      const changed = await service.changePassword(account.id, 'password-1', 'password-2', client);
      expect(changed.tokensValidAfter).toEqual(clock.now());
      expect(seen).toEqual([
        {
          revocation: { userId: account.id, reason: 'password_change', account: changed },
          depth: 1,
        },
      ]);
    });
  });

  it('deletes an account with its password and tells listeners', async () => {
    const account = await register();
    const deleted: string[] = [];
    service.addLifecycleListener({ userDeleted: async (id) => void deleted.push(id) });
    await expect(service.deleteAccount(account.id, 'wrong', client)).rejects.toBeInstanceOf(
      WrongPasswordError,
    );
    await service.deleteAccount(account.id, 'password-1', client);
    expect(users.rows.size).toBe(0);
    expect(deleted).toEqual([account.id]);
  });

  it('removes what listeners keep inside the deletion transaction, before the row goes', async () => {
    const account = await register();
    const seen: { depth: number; rowPresent: boolean }[] = [];
    service.addLifecycleListener({
      userDeleted: async (id) =>
        void seen.push({ depth: unitOfWork.depth, rowPresent: users.rows.has(id) }),
    });
    await service.deleteAccount(account.id, 'password-1', client);
    expect(seen).toEqual([{ depth: 1, rowPresent: true }]);
  });

  it('keeps the account, and revokes nothing, when a listener cannot remove what it keeps', async () => {
    const account = await register();
    const revoked: string[] = [];
    service.addLifecycleListener({
      userDeleted: () => Promise.reject(new ServiceUnavailableError()),
      accessRevoked: async ({ userId }) => void revoked.push(userId),
    });
    await expect(service.deleteAccount(account.id, 'password-1', client)).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    expect(users.rows.has(account.id)).toBe(true);
    expect(revoked).toEqual([]);
  });

  it('inserts the account and what the caller opens for it in one transaction', async () => {
    const depths: number[] = [];
    const account = await service.register(
      { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', password: 'password-1' },
      async (created) => {
        expect(users.rows.has(created.id)).toBe(true);
        depths.push(unitOfWork.depth);
      },
    );
    expect(depths).toEqual([1]);
    expect(unitOfWork.transactions).toBe(1);
    expect(users.rows.has(account.id)).toBe(true);
  });

  it('keeps a committed change when a listener fails after commit', async () => {
    const account = await register();
    await service.disable(account.id, adminId, client);
    service.addLifecycleListener({ accountChanged: () => Promise.reject(new Error('cache down')) });
    await expect(service.enable(account.id, adminId, client)).resolves.toEqual(
      expect.objectContaining({ disabledAt: null }),
    );
    expect(users.rows.get(account.id)?.disabledAt).toBeNull();
  });

  it('tells listeners of every committed change, with a higher revision, before answering', async () => {
    const account = await register();
    const heard: Array<[string, number]> = [];
    service.addLifecycleListener({
      accountChanged: async (changed) => {
        // Once the change is stored.
        expect(users.rows.get(changed.id)?.revision).toBe(changed.revision);
        heard.push([changed.lastName, changed.revision]);
      },
    });

    const renamed = await service.updateProfile(account.id, { lastName: 'Byron' });
    expect(heard).toEqual([['Byron', account.revision + 1]]);
    expect(renamed.revision).toBe(account.revision + 1);

    await service.disable(account.id, adminId, client);
    await service.enable(account.id, adminId, client);
    expect(heard.map(([, revision]) => revision)).toEqual(
      [1, 2, 3].map((n) => n + account.revision),
    );
  });

  it('tells listeners nothing of a change that changed nothing or was rolled back', async () => {
    const account = await register();
    const heard: number[] = [];
    service.addLifecycleListener({ accountChanged: async (a) => void heard.push(a.revision) });

    await service.enable(account.id, adminId, client);
    await service.updateProfile(account.id, {});
    await expect(
      service.changePassword(account.id, 'wrong-password', 'password-2', client),
    ).rejects.toBeInstanceOf(WrongPasswordError);
    service.addLifecycleListener({
      accessRevoked: () => Promise.reject(new Error('the cache cannot take the revocation')),
    });
    await expect(service.disable(account.id, adminId, client)).rejects.toThrow('cache');

    expect(heard).toEqual([]);
    expect(users.rows.get(account.id)?.revision).toBe(account.revision);
  });

  it('disables once, revoking access, and reports an unknown user', async () => {
    const account = await register();
    const reasons: string[] = [];
    service.addLifecycleListener({ accessRevoked: async (r) => void reasons.push(r.reason) });
    await service.disable(account.id, adminId, client);
    await service.disable(account.id, adminId, client);
    expect(reasons).toEqual(['user_disabled']);
    await expect(
      service.disable('00000000-0000-4000-8000-000000000000', adminId, client),
    ).rejects.toBeInstanceOf(UserNotFoundError);
  });

  it('reads an id in any case, and one of the wrong shape as an unknown user', async () => {
    const account = await register();
    const upper = account.id.toUpperCase();
    await expect(service.getAccount(upper)).resolves.toMatchObject({ id: account.id });
    await expect(service.disable(upper, adminId, client)).resolves.toMatchObject({
      id: account.id,
    });
    await expect(service.enable(upper, adminId, client)).resolves.toMatchObject({ id: account.id });
    for (const malformed of ['not-a-uuid', `${account.id}x`, '']) {
      await expect(service.getAccount(malformed)).rejects.toBeInstanceOf(UserNotFoundError);
      await expect(service.disable(malformed, adminId, client)).rejects.toBeInstanceOf(
        UserNotFoundError,
      );
      await expect(service.enable(malformed, adminId, client)).rejects.toBeInstanceOf(
        UserNotFoundError,
      );
    }
  });

  describe('auth events', () => {
    it('records a password change, a disable, an enable and a deletion with the user and the IP', async () => {
      const account = await register();
      await service.changePassword(account.id, 'password-1', 'password-2', client);
      await service.disable(account.id, adminId, client);
      await service.enable(account.id, adminId, client);
      await service.deleteAccount(account.id, 'password-2', client);
      expect(authEvents.entries).toEqual([
        { event: 'password.changed', userId: account.id, ip: '203.0.113.7' },
        { event: 'user.disabled', userId: account.id, ip: '203.0.113.7', actorId: adminId },
        { event: 'user.enabled', userId: account.id, ip: '203.0.113.7', actorId: adminId },
        { event: 'user.deleted', userId: account.id, ip: '203.0.113.7' },
      ]);
      // The user acts on its own account, the admin on another's.
      expect(
        authEvents.rows.events.map(({ event, userId, actorId }) => ({ event, userId, actorId })),
      ).toEqual([
        { event: 'password.changed', userId: account.id, actorId: account.id },
        { event: 'user.disabled', userId: account.id, actorId: adminId },
        { event: 'user.enabled', userId: account.id, actorId: adminId },
        { event: 'user.deleted', userId: account.id, actorId: account.id },
      ]);
    });

    it('writes each row inside the change’s transaction', async () => {
      const account = await register();
      const depths: number[] = [];
      const append = authEvents.rows.append.bind(authEvents.rows);
      jest.spyOn(authEvents.rows, 'append').mockImplementation(async (event) => {
        depths.push(unitOfWork.depth);
        await append(event);
      });
      await service.changePassword(account.id, 'password-1', 'password-2', client);
      await service.disable(account.id, adminId, client);
      await service.enable(account.id, adminId, client);
      await service.deleteAccount(account.id, 'password-2', client);
      expect(depths).toEqual([1, 1, 1, 1]);
    });

    it('records nothing for a refused change, nor for a disable or enable that changed nothing', async () => {
      const account = await register();
      await service.enable(account.id, adminId, client);
      await service.disable(account.id, adminId, client);
      await service.disable(account.id, adminId, client);
      await expect(
        service.changePassword(account.id, 'nope', 'password-2', client),
      ).rejects.toBeInstanceOf(WrongPasswordError);
      await expect(service.deleteAccount(account.id, 'nope', client)).rejects.toBeInstanceOf(
        WrongPasswordError,
      );
      expect(authEvents.entries.map((entry) => entry.event)).toEqual(['user.disabled']);
      expect(authEvents.rows.events.map((row) => row.event)).toEqual(['user.disabled']);
    });
  });

  it('pages through every account exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await register(`user${i}@example.com`)).id);
      clock.advance(1000);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.listAccounts(2, cursor);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(ids);
  });

  it.each(['not-base64-json', Buffer.from('["yesterday","x"]').toString('base64url')])(
    'refuses a bad cursor %s',
    async (cursor) => {
      await expect(service.listAccounts(2, cursor)).rejects.toBeInstanceOf(ValidationFailedError);
    },
  );
});
