import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { PruneService } from '../../src/auth';
import { SessionRepository } from '../../src/auth/domain/session.repository';
import { TokenBlacklist } from '../../src/auth/domain/token-blacklist';
import { registerAccount } from './support/accounts';
import { sleep } from './support/polling';
import { startTestApp, useTestApp } from './support/test-app';
import { TEST_DATABASE_URL } from './support/test-environment';

const JOB_NAME = 'prune-expired-auth-records';
const HOUR = 3600;
const DAY = 24 * HOUR;

/** The same key as src/common/database/postgres-advisory.lock.ts derives from the job's name. */
function advisoryLockKey(name: string): string {
  return createHash('sha256').update(`tempmessenger:${name}`).digest().readBigInt64BE(0).toString();
}

describe('Prune of expired blacklist entries and sessions', () => {
  const testApp = useTestApp({ PRUNE_BATCH_SIZE: '7' });
  let dataSource: DataSource;
  let prune: PruneService;
  let userIds: string[];

  /** Inserts blacklist rows expiring at now + each offset (seconds); returns their jtis. */
  async function insertBlacklist(offsets: number[]): Promise<string[]> {
    const jtis: string[] = [];
    for (const [index, offset] of offsets.entries()) {
      const jti = randomUUID();
      await dataSource.query(
        `INSERT INTO blacklist_tokens (jti, user_id, expires_at, created_at)
         VALUES ($1, $2, now() + make_interval(secs => $3), now() - interval '1 hour')`,
        [jti, userIds[index % userIds.length], offset],
      );
      jtis.push(jti);
    }
    return jtis;
  }

  /** Inserts sessions expiring at now + each offset (seconds), every other one revoked. */
  async function insertSessions(offsets: number[]): Promise<string[]> {
    const ids: string[] = [];
    for (const [index, offset] of offsets.entries()) {
      const id = randomUUID();
      await dataSource.query(
        `INSERT INTO sessions (id, user_id, refresh_jti, created_at, last_used_at, expires_at,
                               revoked_at, revoked_reason)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4) - interval '14 days',
                 now() + make_interval(secs => $4) - interval '14 days',
                 now() + make_interval(secs => $4), $5, $6)`,
        [
          id,
          userIds[index % userIds.length],
          randomUUID(),
          offset,
          index % 2 === 1 ? new Date(Date.now() - 2 * DAY * 1000) : null,
          index % 2 === 1 ? 'logout' : null,
        ],
      );
      ids.push(id);
    }
    return ids;
  }

  /** Inserts mailed tokens expiring at now + each offset (seconds); returns their hashes. */
  async function insertAccountTokens(offsets: number[], used = false): Promise<string[]> {
    const hashes: string[] = [];
    for (const [index, offset] of offsets.entries()) {
      const hash = randomBytes(32).toString('hex');
      await dataSource.query(
        `INSERT INTO account_tokens (token_hash, purpose, user_id, email, expires_at, used_at)
         VALUES ($1, 'password_reset', $2, 'ada@example.com', now() + make_interval(secs => $3),
                 CASE WHEN $4 THEN now() END)`,
        [hash, userIds[index % userIds.length], offset, used],
      );
      hashes.push(hash);
    }
    return hashes;
  }

  /** Inserts audit rows written at now - each age (seconds); returns their ids. */
  async function insertAuditEvents(ages: number[]): Promise<string[]> {
    const ids: string[] = [];
    for (const [index, age] of ages.entries()) {
      const id = randomUUID();
      await dataSource.query(
        `INSERT INTO audit_events (id, event, user_id, actor_id, at)
         VALUES ($1, 'login.succeeded', $2, $2, now() - make_interval(secs => $3))`,
        [id, userIds[index % userIds.length], age],
      );
      ids.push(id);
    }
    return ids;
  }

  async function existingAccountTokens(hashes: string[]): Promise<string[]> {
    const rows = (await dataSource.query(
      'SELECT token_hash AS hash FROM account_tokens WHERE token_hash = ANY($1::char(64)[])',
      [hashes],
    )) as { hash: string }[];
    return rows.map((row) => row.hash).sort();
  }

  async function existing(
    table: 'blacklist_tokens' | 'sessions' | 'audit_events',
    ids: string[],
  ): Promise<string[]> {
    const column = table === 'blacklist_tokens' ? 'jti' : 'id';
    const rows = (await dataSource.query(
      `SELECT ${column} AS id FROM ${table} WHERE ${column} = ANY($1::uuid[])`,
      [ids],
    )) as { id: string }[];
    return rows.map((row) => row.id).sort();
  }

  const sorted = (ids: string[]) => [...ids].sort();

  beforeAll(async () => {
    dataSource = testApp.app.get(DataSource);
    prune = testApp.app.get(PruneService);
    userIds = [(await registerAccount(testApp)).id, (await registerAccount(testApp)).id];
  });

  afterEach(() => jest.restoreAllMocks());

  it('deletes exactly the expired blacklist rows and the sessions expired over 24 h ago, in batches', async () => {
    // Whatever other suites left behind goes first, so the counts below are ours alone.
    expect(await prune.pruneExpired()).toMatchObject({ ran: true });

    const expiredTokens = await insertBlacklist(
      Array.from({ length: 30 }, (_, i) => -(5 + i * 60)),
    );
    const liveTokens = await insertBlacklist(Array.from({ length: 20 }, (_, i) => 60 + i * 60));
    const oldSessions = await insertSessions([
      -25 * HOUR,
      -26 * HOUR,
      -30 * HOUR,
      -2 * DAY,
      -3 * DAY,
      -5 * DAY,
      -7 * DAY,
      -10 * DAY,
      -14 * DAY,
      -20 * DAY,
      -30 * DAY,
      -60 * DAY,
    ]);
    const recentSessions = await insertSessions([-60, -HOUR, -12 * HOUR, -23 * HOUR, -23.5 * HOUR]);
    const liveSessions = await insertSessions([60, HOUR, DAY, 7 * DAY, 14 * DAY]);

    const spentTokens = [
      ...(await insertAccountTokens([-1, -60, -HOUR, -DAY, -2 * DAY])),
      ...(await insertAccountTokens([60, HOUR, DAY, 2 * DAY], true)),
    ];
    const liveAccountTokens = await insertAccountTokens([60, HOUR, DAY]);
    const retention = testApp.config.prune.auditRetentionSeconds;
    const oldAuditEvents = await insertAuditEvents(
      Array.from({ length: 8 }, (_, i) => retention + 60 + i * DAY),
    );
    const keptAuditEvents = await insertAuditEvents([retention - 60, DAY, 0]);

    const blacklistBatches = jest.spyOn(testApp.app.get(TokenBlacklist), 'deleteExpired');
    const sessionBatches = jest.spyOn(testApp.app.get(SessionRepository), 'deleteExpired');

    const outcome = await prune.pruneExpired();

    expect(outcome).toEqual({
      ran: true,
      blacklistDeleted: 30,
      sessionsDeleted: 12,
      accountTokensDeleted: 9,
      auditEventsDeleted: 8,
    });
    expect(await existing('audit_events', oldAuditEvents)).toEqual([]);
    expect(await existing('audit_events', keptAuditEvents)).toEqual(sorted(keptAuditEvents));
    expect(await existingAccountTokens(spentTokens)).toEqual([]);
    expect(await existingAccountTokens(liveAccountTokens)).toEqual(sorted(liveAccountTokens));
    expect(await existing('blacklist_tokens', expiredTokens)).toEqual([]);
    expect(await existing('blacklist_tokens', liveTokens)).toEqual(sorted(liveTokens));
    expect(await existing('sessions', oldSessions)).toEqual([]);
    expect(await existing('sessions', recentSessions)).toEqual(sorted(recentSessions));
    expect(await existing('sessions', liveSessions)).toEqual(sorted(liveSessions));

    // 30 rows at 7 a batch: 7, 7, 7, 7, 2; 12 sessions: 7, 5.
    expect(blacklistBatches).toHaveBeenCalledTimes(5);
    expect(blacklistBatches.mock.calls.every(([, limit]) => limit === 7)).toBe(true);
    expect(sessionBatches).toHaveBeenCalledTimes(2);
    expect(sessionBatches.mock.calls.every(([, limit]) => limit === 7)).toBe(true);

    // The users and everything live are untouched; a second run finds nothing.
    const users = (await dataSource.query('SELECT id FROM users WHERE id = ANY($1::uuid[])', [
      userIds,
    ])) as unknown[];
    expect(users).toHaveLength(2);
    expect(await prune.pruneExpired()).toEqual({
      ran: true,
      blacklistDeleted: 0,
      sessionsDeleted: 0,
      accountTokensDeleted: 0,
      auditEventsDeleted: 0,
    });
    expect(await existing('blacklist_tokens', liveTokens)).toHaveLength(20);
    expect(await existing('sessions', [...recentSessions, ...liveSessions])).toHaveLength(10);
  });

  it('does nothing while another connection holds the advisory lock, and runs once it is free', async () => {
    const expiredTokens = await insertBlacklist([-10, -20, -30]);
    const oldSessions = await insertSessions([-2 * DAY, -3 * DAY]);
    const holder = new Client({ connectionString: TEST_DATABASE_URL });
    await holder.connect();
    const key = advisoryLockKey(JOB_NAME);
    let held = false;
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [key]);
      held = true;

      expect(await prune.pruneExpired()).toEqual({ ran: false });
      expect(await existing('blacklist_tokens', expiredTokens)).toEqual(sorted(expiredTokens));
      expect(await existing('sessions', oldSessions)).toEqual(sorted(oldSessions));

      const released = await holder.query<{ unlocked: boolean }>(
        'SELECT pg_advisory_unlock($1::bigint) AS unlocked',
        [key],
      );
      const unlocked = released.rows[0].unlocked;
      held = !unlocked;
      expect(unlocked).toBe(true);
    } finally {
      if (held) await holder.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
      await holder.end();
    }

    const outcome = await prune.pruneExpired();
    expect(outcome).toMatchObject({ ran: true });
    expect(outcome.ran && outcome.blacklistDeleted).toBeGreaterThanOrEqual(3);
    expect(outcome.ran && outcome.sessionsDeleted).toBeGreaterThanOrEqual(2);
    expect(await existing('blacklist_tokens', expiredTokens)).toEqual([]);
    expect(await existing('sessions', oldSessions)).toEqual([]);
  });

  it('releases the lock after a run, so another connection can take it', async () => {
    await prune.pruneExpired();
    const other = new Client({ connectionString: TEST_DATABASE_URL });
    await other.connect();
    try {
      const key = advisoryLockKey(JOB_NAME);
      const result = await other.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key]);
      expect(result.rows[0].locked).toBe(true);
      await other.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
    } finally {
      await other.end();
    }
  });

  it('registers the default schedule', () => {
    const job = testApp.app.get(SchedulerRegistry).getCronJob(JOB_NAME);
    expect(job.cronTime.source).toBe('*/10 * * * *');
  });

  it('stops the cron job when the application closes', async () => {
    const shortLived = await startTestApp();
    const job = shortLived.app.get(SchedulerRegistry).getCronJob(JOB_NAME);
    expect(job.isActive).toBe(true);
    await shortLived.close();
    expect(job.isActive).toBe(false);
  });

  describe('with BLACKLIST_PRUNE_CRON set', () => {
    const cronApp = useTestApp({ BLACKLIST_PRUNE_CRON: '*/5 * * * *' });

    it('registers a running cron job with the configured expression that runs the prune', async () => {
      const registry = cronApp.app.get(SchedulerRegistry);
      expect([...registry.getCronJobs().keys()]).toContain(JOB_NAME);
      const job = registry.getCronJob(JOB_NAME);
      expect(job.cronTime.source).toBe('*/5 * * * *');
      expect(job.isActive).toBe(true);

      const service = cronApp.app.get(PruneService);
      const run = jest.spyOn(service, 'pruneExpired');
      await job.fireOnTick();
      await sleep(50);
      expect(run).toHaveBeenCalledTimes(1);
      await expect(run.mock.results[0].value).resolves.toMatchObject({ ran: true });
    });
  });
});
