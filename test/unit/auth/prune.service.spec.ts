import { PruneService, SESSION_RETENTION_MS } from '../../../src/auth/application/prune.service';
import { Session } from '../../../src/auth/domain/session';
import { JobLock } from '../../../src/common/database/job-lock';
import { loadConfig } from '../../../src/common/config';
import { FixedClock } from '../fakes/fixed.clock';
import { authTestKit } from './auth-test-kit';
import { InMemoryAuditTrail } from '../fakes/in-memory-audit.trail';
import { InMemorySessionRepository } from '../fakes/in-memory-session.repository';
import { InMemoryTokenBlacklist } from '../fakes/in-memory-token.blacklist';

class FakeJobLock extends JobLock {
  held = false;

  async runExclusive<T>(_name: string, work: () => Promise<T>) {
    if (this.held) return { ran: false } as const;
    return { ran: true, result: await work() } as const;
  }
}

const DAY_MS = 24 * 3600 * 1000;

describe('PruneService', () => {
  const clock = new FixedClock();
  const now = clock.now();

  function setUp() {
    const blacklist = new InMemoryTokenBlacklist();
    const sessions = new InMemorySessionRepository();
    const lock = new FakeJobLock();
    const { accountEmail, accountTokens } = authTestKit();
    const auditTrail = new InMemoryAuditTrail();
    const service = new PruneService(
      blacklist,
      sessions,
      accountEmail,
      auditTrail,
      lock,
      clock,
      loadConfig({ PRUNE_BATCH_SIZE: '3', AUDIT_RETENTION: '1d' }),
    );
    const token = (hash: string, expiresAt: Date) =>
      accountTokens.insert({
        hash,
        purpose: 'password_reset',
        userId: 'u',
        email: 'ada@example.com',
        expiresAt,
        createdAt: now,
      });
    void token('expired', new Date(now.getTime() - 1000));
    void token('used', new Date(now.getTime() + 60_000)).then(() =>
      accountTokens.consume('used', 'password_reset', now),
    );
    void token('live', new Date(now.getTime() + 60_000));
    for (let i = 0; i < 10; i++) {
      const expiresAt = new Date(now.getTime() + (i < 7 ? -1000 : 60_000));
      void blacklist.add({ jti: `t${i}`, userId: 'u', expiresAt });
    }
    const session = (id: string, expiresAt: Date) =>
      sessions.insert(
        Session.restore({
          ...Session.open({
            id,
            userId: 'u',
            refreshJti: 'r',
            now,
            lifetime: { idleSeconds: 1, maxSeconds: 1 },
            ip: null,
            userAgent: null,
          }).toProps(),
          expiresAt,
        }),
      );
    void session('old', new Date(now.getTime() - SESSION_RETENTION_MS - 1000));
    void session('recent', new Date(now.getTime() - 1000));
    void session('live', new Date(now.getTime() + 60_000));
    const auditRow = (id: string, ageMs: number) =>
      auditTrail.append({
        id,
        event: 'login.failed',
        userId: null,
        actorId: null,
        ip: null,
        userAgent: null,
        requestId: null,
        at: new Date(now.getTime() - ageMs),
        details: {},
      });
    for (let i = 0; i < 4; i++) void auditRow(`old-${i}`, DAY_MS + 1000 * (i + 1));
    void auditRow('at-the-cutoff', DAY_MS);
    void auditRow('recent', 1000);
    return { blacklist, sessions, accountTokens, auditTrail, lock, service };
  }

  it('deletes exactly the expired entries, long-expired sessions, spent tokens and old audit rows, in batches', async () => {
    const { blacklist, sessions, accountTokens, auditTrail, service } = setUp();
    await expect(service.pruneExpired()).resolves.toEqual({
      ran: true,
      blacklistDeleted: 7,
      sessionsDeleted: 1,
      accountTokensDeleted: 2,
      auditEventsDeleted: 4,
    });
    expect(auditTrail.events.map((event) => event.id).sort()).toEqual(['at-the-cutoff', 'recent']);
    expect([...accountTokens.rows.keys()]).toEqual(['live']);
    expect([...blacklist.entries.keys()].sort()).toEqual(['t7', 't8', 't9']);
    expect([...sessions.rows.keys()].sort()).toEqual(['live', 'recent']);
  });

  it('does nothing while another instance holds the lock', async () => {
    const { blacklist, lock, service } = setUp();
    lock.held = true;
    await expect(service.pruneExpired()).resolves.toEqual({ ran: false });
    expect(blacklist.entries.size).toBe(10);
  });
});
