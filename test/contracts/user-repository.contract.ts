import { randomUUID } from 'node:crypto';
import type { UnitOfWork } from '../../src/common/database/unit-of-work';
import { User } from '../../src/users/domain/user';
import { EmailTakenError } from '../../src/users/domain/user.errors';
import type { UserRepository } from '../../src/users/domain/user.repository';

export interface UserRepositoryFixture {
  /** Holding no user yet. */
  readonly users: UserRepository;
  /** The unit of work `lockById` runs in, as the application calls it. */
  readonly unitOfWork: UnitOfWork;
}

const REGISTERED_AT = Date.parse('2026-11-25T12:00:00.000Z');

function aUser(options: { email?: string; registeredAt?: number } = {}): User {
  const id = randomUUID();
  return User.register({
    id,
    email: options.email ?? `${id}@example.com`,
    firstName: 'Ada',
    lastName: 'Lovelace',
    passwordHash: 'a-password-hash',
    now: new Date(options.registeredAt ?? REGISTERED_AT),
  });
}

/** What every `UserRepository` does, the in-memory fake as much as PostgreSQL. */
export function describeUserRepositoryContract(
  name: string,
  setup: () => Promise<UserRepositoryFixture>,
): void {
  describe(`${name} keeps the UserRepository contract`, () => {
    let users: UserRepository;
    let unitOfWork: UnitOfWork;

    beforeEach(async () => {
      ({ users, unitOfWork } = await setup());
    });

    it('finds an inserted user by id and by email, every field as inserted', async () => {
      const ada = aUser();
      await users.insert(ada);

      expect(await users.findById(ada.id)).toEqual(ada);
      expect(await users.findByEmail(ada.email)).toEqual(ada);
    });

    it('answers null for an id or an email it does not hold', async () => {
      await users.insert(aUser());

      expect(await users.findById(randomUUID())).toBeNull();
      expect(await users.findByEmail('nobody@example.com')).toBeNull();
    });

    it('matches emails whatever their case, as the unique index on lower(email) does', async () => {
      const stored = aUser({ email: 'Ada.Lovelace@Example.com' });
      await users.insert(stored);

      expect(await users.findByEmail('ada.lovelace@example.com')).toEqual(stored);
      await expect(users.insert(aUser({ email: 'ada.lovelace@example.com' }))).rejects.toThrow(
        EmailTakenError,
      );
    });

    it('lets exactly one of two concurrent inserts of one email in', async () => {
      const first = aUser({ email: 'twice@example.com' });
      const second = aUser({ email: 'twice@example.com' });

      const outcomes = await Promise.allSettled([users.insert(first), users.insert(second)]);

      expect(outcomes.map(({ status }) => status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = outcomes.find((outcome) => outcome.status === 'rejected');
      expect(refused?.reason).toBeInstanceOf(EmailTakenError);
      const winner = outcomes[0].status === 'fulfilled' ? first : second;
      expect(await users.findByEmail('twice@example.com')).toEqual(winner);
    });

    it('saves every change an update carries, and stores nothing for an unknown user', async () => {
      const ada = aUser();
      await users.insert(ada);
      const later = new Date(REGISTERED_AT + 60_000);
      ada.rename({ firstName: 'Augusta' }, later);
      ada.changePassword('another-password-hash', later);
      ada.promote(later);
      ada.disable(later);
      ada.verifyEmail(ada.email, later);

      await users.update(ada);
      const stranger = aUser();
      await users.update(stranger);

      expect(await users.findById(ada.id)).toEqual(ada);
      expect(await users.findById(stranger.id)).toBeNull();
    });

    it('refuses an update to an email another user has, whatever its case', async () => {
      const ada = aUser({ email: 'ada@example.com' });
      const grace = aUser({ email: 'grace@example.com' });
      await users.insert(ada);
      await users.insert(grace);
      grace.changeEmail('ADA@example.com', new Date(REGISTERED_AT + 60_000));

      await expect(users.update(grace)).rejects.toBeInstanceOf(EmailTakenError);
      expect((await users.findById(grace.id))?.email).toBe('grace@example.com');
    });

    it('deletes a user once', async () => {
      const ada = aUser();
      await users.insert(ada);

      expect(await users.delete(ada.id)).toBe(true);
      expect(await users.findById(ada.id)).toBeNull();
      expect(await users.delete(ada.id)).toBe(false);
    });

    it('lists users oldest first, ties by id, one page at a time', async () => {
      const registeredAt = [2_000, 0, 1_000, 0, 3_000].map((offset) => REGISTERED_AT + offset);
      const inserted = registeredAt.map((at) => aUser({ registeredAt: at }));
      for (const user of inserted) await users.insert(user);
      const expected = [...inserted].sort(
        (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1),
      );

      const first = await users.listPage(2, null);
      const second = await users.listPage(2, first.next);
      const third = await users.listPage(2, second.next);

      expect([first, second, third].flatMap((page) => page.items)).toEqual(expected);
      const lastOfFirst = first.items[1];
      expect(first.next).toEqual({ at: lastOfFirst.createdAt.getTime(), id: lastOfFirst.id });
      expect(second.next).not.toBeNull();
      expect(third.next).toBeNull();
    });

    it('says there is no next page when the last one is exactly full, or empty', async () => {
      expect(await users.listPage(2, null)).toEqual({ items: [], next: null });
      await users.insert(aUser());
      await users.insert(aUser({ registeredAt: REGISTERED_AT + 1 }));

      const page = await users.listPage(2, null);

      expect(page.items).toHaveLength(2);
      expect(page.next).toBeNull();
    });

    it('reads a user under either lock inside a unit of work', async () => {
      const ada = aUser();
      await users.insert(ada);

      const locked = await unitOfWork.run(async () => ({
        forUpdate: await users.lockById(ada.id, 'update'),
        shared: await users.lockById(ada.id, 'share'),
        unknown: await users.lockById(randomUUID(), 'update'),
      }));

      expect(locked).toEqual({ forUpdate: ada, shared: ada, unknown: null });
    });
  });
}
