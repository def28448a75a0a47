import { randomUUID } from 'node:crypto';
import { Session, type SessionLifetime } from '../../src/auth/domain/session';
import type { SessionRepository } from '../../src/auth/domain/session.repository';

export interface SessionRepositoryFixture {
  /** Holding no session yet. */
  readonly sessions: SessionRepository;
  /** A new user for sessions to belong to: the record refuses a session without its user. */
  registerUser(): Promise<string>;
}

/** Whole seconds, as session expiries are. */
const T0 = Date.parse('2026-11-25T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const LIFETIME: SessionLifetime = { idleSeconds: 3600, maxSeconds: 86_400 };

function aSession(
  userId: string,
  options: { openedAt?: number; idleSeconds?: number } = {},
): Session {
  return Session.open({
    id: randomUUID(),
    userId,
    refreshJti: randomUUID(),
    now: at(options.openedAt ?? 0),
    lifetime: { ...LIFETIME, idleSeconds: options.idleSeconds ?? LIFETIME.idleSeconds },
    ip: '203.0.113.7',
    userAgent: 'contract-test',
  });
}

/** What every `SessionRepository` does, the in-memory fake as much as PostgreSQL. */
export function describeSessionRepositoryContract(
  name: string,
  setup: () => Promise<SessionRepositoryFixture>,
): void {
  describe(`${name} keeps the SessionRepository contract`, () => {
    let sessions: SessionRepository;
    let userId: string;
    let registerUser: () => Promise<string>;

    beforeEach(async () => {
      ({ sessions, registerUser } = await setup());
      userId = await registerUser();
    });

    /** Inserts the session and answers it as the repository reads it back. */
    async function stored(session: Session): Promise<Session> {
      await sessions.insert(session);
      return (await sessions.findById(session.id))!;
    }

    it('finds an inserted session by id, every field as inserted', async () => {
      const session = aSession(userId);
      await sessions.insert(session);

      expect(await sessions.findById(session.id)).toEqual(session);
      expect(await sessions.findById(randomUUID())).toBeNull();
    });

    it("lists a user's active sessions newest first, without revoked, expired or others'", async () => {
      const oldest = await stored(aSession(userId, { openedAt: 0 }));
      const newest = await stored(aSession(userId, { openedAt: 3 }));
      const endingAt10 = await stored(aSession(userId, { openedAt: 1, idleSeconds: 9 }));
      const middle = await stored(aSession(userId, { openedAt: 2 }));
      const revoked = await stored(aSession(userId, { openedAt: 4 }));
      await sessions.revoke(revoked.id, 'logout', at(5));
      await sessions.insert(aSession(await registerUser()));

      const justBefore = new Date(at(10).getTime() - 1);
      expect(await sessions.findActiveByUser(userId, justBefore)).toEqual([
        newest,
        middle,
        endingAt10,
        oldest,
      ]);
      // A session ends at its expiry, from that instant on.
      expect(await sessions.findActiveByUser(userId, at(10))).toEqual([newest, middle, oldest]);
    });

    it('saves a rotation from the current refresh token, then none from a stale copy', async () => {
      const original = await stored(aSession(userId));
      const rotated = (await sessions.findById(original.id))!;
      rotated.rotate(randomUUID(), at(60), LIFETIME);

      expect(await sessions.saveRotation(rotated)).toBe(true);
      expect(await sessions.findById(original.id)).toEqual(rotated);

      original.rotate(randomUUID(), at(61), LIFETIME);
      expect(await sessions.saveRotation(original)).toBe(false);
      expect(await sessions.findById(original.id)).toEqual(rotated);
    });

    it('lets exactly one of two concurrent rotations from one token win', async () => {
      const session = aSession(userId);
      await sessions.insert(session);
      const [first, second] = await Promise.all([
        sessions.findById(session.id),
        sessions.findById(session.id),
      ]);
      first!.rotate(randomUUID(), at(60), LIFETIME);
      second!.rotate(randomUUID(), at(60), LIFETIME);

      const saved = await Promise.all([
        sessions.saveRotation(first!),
        sessions.saveRotation(second!),
      ]);

      expect([...saved].sort()).toEqual([false, true]);
      const winner = saved[0] ? first : second;
      expect((await sessions.findById(session.id))?.refreshJti).toBe(winner!.refreshJti);
    });

    it('saves no rotation of a revoked, expired or unknown session', async () => {
      const revoked = await stored(aSession(userId));
      await sessions.revoke(revoked.id, 'logout', at(30));
      revoked.rotate(randomUUID(), at(60), LIFETIME);
      const expired = await stored(aSession(userId, { idleSeconds: 60 }));
      expired.rotate(randomUUID(), at(60), LIFETIME);
      const unknown = aSession(userId);
      unknown.rotate(randomUUID(), at(60), LIFETIME);

      expect(await sessions.saveRotation(revoked)).toBe(false);
      expect(await sessions.saveRotation(expired)).toBe(false);
      expect(await sessions.saveRotation(unknown)).toBe(false);
      expect((await sessions.findById(expired.id))?.refreshJti).not.toBe(expired.refreshJti);
    });

    it('revokes a session once, keeping the first time and reason', async () => {
      const session = await stored(aSession(userId));

      expect(await sessions.revoke(session.id, 'logout', at(60))).toBe(true);
      expect(await sessions.revoke(session.id, 'session_ended', at(61))).toBe(false);
      expect(await sessions.revoke(randomUUID(), 'logout', at(61))).toBe(false);
      expect(await sessions.findById(session.id)).toMatchObject({
        revokedAt: at(60),
        revokedReason: 'logout',
      });
    });

    it('revokes every active session of a user and names them, and only those', async () => {
      const active = [await stored(aSession(userId)), await stored(aSession(userId))];
      const loggedOut = await stored(aSession(userId));
      await sessions.revoke(loggedOut.id, 'logout', at(30));
      const expired = await stored(aSession(userId, { idleSeconds: 10 }));
      const someoneElses = await stored(aSession(await registerUser()));

      const ended = await sessions.revokeAllForUser(userId, 'password_change', at(60));

      expect([...ended].sort()).toEqual(active.map(({ id }) => id).sort());
      for (const { id } of active) {
        expect(await sessions.findById(id)).toMatchObject({
          revokedAt: at(60),
          revokedReason: 'password_change',
        });
      }
      expect(await sessions.findById(loggedOut.id)).toMatchObject({ revokedReason: 'logout' });
      expect((await sessions.findById(expired.id))?.revokedAt).toBeNull();
      expect(await sessions.findById(someoneElses.id)).toEqual(someoneElses);
      expect(await sessions.revokeAllForUser(userId, 'logout_all', at(61))).toEqual([]);
    });

    it('revokes every active session of a user but the one it is told to keep', async () => {
      const [kept, other] = [await stored(aSession(userId)), await stored(aSession(userId))];

      expect(await sessions.revokeAllForUser(userId, 'mfa_enabled', at(60), kept.id)).toEqual([
        other.id,
      ]);
      expect(await sessions.findById(kept.id)).toEqual(kept);
      expect(await sessions.findById(other.id)).toMatchObject({ revokedReason: 'mfa_enabled' });
    });

    it('deletes sessions that expired before a time, at most a batch at once', async () => {
      const [endsAt10, endsAt20, endsAt30, endsAt100] = await Promise.all(
        [10, 20, 30, 100].map((idleSeconds) => stored(aSession(userId, { idleSeconds }))),
      );
      await sessions.revoke(endsAt100.id, 'logout', at(5));

      expect(await sessions.deleteExpired(at(30), 1)).toBe(1);
      expect(await sessions.deleteExpired(at(30), 10)).toBe(1);
      expect(await sessions.deleteExpired(at(30), 10)).toBe(0);

      expect(await sessions.findById(endsAt10.id)).toBeNull();
      expect(await sessions.findById(endsAt20.id)).toBeNull();
      expect(await sessions.findById(endsAt30.id)).toEqual(endsAt30);
      expect(await sessions.findById(endsAt100.id)).not.toBeNull();
    });
  });
}
