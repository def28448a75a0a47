import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ensureDatabaseExists } from '../../src/common/database';
import { bearer, login } from './support/accounts';
import { useTestApp } from './support/test-app';
import { TEST_DATABASE_URL } from './support/test-environment';

const FIXTURE = join(__dirname, 'fixtures', 'release-0.1-database.sql');
const TABLES = ['migrations', 'users', 'sessions', 'blacklist_tokens'];

/** Its own database next to the suite's, since this test replaces the whole schema. */
function releaseDatabaseUrl(): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `${url.pathname}_release_0_1`;
  return url.toString();
}

/**
 * The migrations written since release 0.1, the columns each adds to the release's tables
 * (`table.column`), and the tables it creates.
 */
const NEWER_MIGRATIONS = [
  {
    name: 'SessionRefreshReuse1764936000000',
    timestamp: '1764936000000',
    addsColumns: [
      'sessions.refresh_issued_at',
      'sessions.previous_refresh_jti',
      'sessions.rotated_at',
    ],
    addsTables: [],
  },
  {
    name: 'AccountsByEmail1765065600000',
    timestamp: '1765065600000',
    addsColumns: ['users.email_verified_at'],
    addsTables: ['account_tokens', 'mail_jobs'],
  },
  {
    name: 'SecondFactor1765238400000',
    timestamp: '1765238400000',
    addsColumns: ['users.mfa_enabled_at'],
    addsTables: ['mfa_factors', 'mfa_recovery_codes'],
  },
  {
    name: 'AuditTrail1765324800000',
    timestamp: '1765324800000',
    addsColumns: [],
    addsTables: ['audit_events'],
  },
  {
    name: 'AccountRevision1765411200000',
    timestamp: '1765411200000',
    addsColumns: ['users.revision'],
    addsTables: [],
  },
];
const ADDED_TABLES: readonly string[] = NEWER_MIGRATIONS.flatMap(({ addsTables }) => addsTables);

interface Column {
  readonly table_name: string;
  readonly column_name: string;
}

function isAdded(column: Column, added: readonly string[]): boolean {
  return added.includes(`${column.table_name}.${column.column_name}`);
}

interface DatabaseState {
  readonly columns: Column[];
  readonly indexes: Array<{ tablename: string }>;
  readonly rows: Record<string, Record<string, unknown>[]>;
}

async function readState(client: Client): Promise<DatabaseState> {
  const columns = await client.query(
    `SELECT table_name, column_name, data_type, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = 'public'
      ORDER BY table_name, column_name`,
  );
  const indexes = await client.query(
    `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
      ORDER BY indexname`,
  );
  const rows: Record<string, Record<string, unknown>[]> = {};
  for (const table of TABLES) {
    rows[table] = (
      await client.query<Record<string, unknown>>(`SELECT * FROM public.${table} ORDER BY 1`)
    ).rows;
  }
  return {
    columns: columns.rows as Column[],
    indexes: indexes.rows as Array<{ tablename: string }>,
    rows,
  };
}

describe('A database left by the previous release (0.1, TypeORM 0.3)', () => {
  const databaseUrl = releaseDatabaseUrl();
  let client: Client;
  let before: DatabaseState;

  beforeAll(async () => {
    await ensureDatabaseExists(databaseUrl, 3000);
    client = new Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query('DROP SCHEMA public CASCADE');
    await client.query('CREATE SCHEMA public');
    await client.query(readFileSync(FIXTURE, 'utf8'));
    before = await readState(client);
  });
  // Started on the database just loaded, and closed before the client that loaded it.
  const testApp = useTestApp({
    DATABASE_URL: databaseUrl,
    MIGRATIONS_RUN: 'true',
    // The fixture's blacklist row has expired: no prune tick may delete it during the test.
    BLACKLIST_PRUNE_CRON: '0 0 1 1 *',
  });
  afterAll(() => client?.end());

  it("runs none of the release's migrations again, and each newer one once", async () => {
    expect(await testApp.app.get(DataSource).showMigrations()).toBe(false);
    const migrations = await client.query('SELECT id, timestamp, name FROM public.migrations');
    expect(migrations.rows).toEqual([
      { id: 1, timestamp: '1764028800000', name: 'CreateAccountsAndSessions1764028800000' },
      ...NEWER_MIGRATIONS.map(({ name, timestamp }, index) => ({ id: index + 2, timestamp, name })),
    ]);
  });

  it('changes no column, index or row the release had; newer migrations only add', async () => {
    const after = await readState(client);
    const ofReleaseTables = <T extends { tablename?: string; table_name?: string }>(rows: T[]) =>
      rows.filter((row) => !ADDED_TABLES.includes(row.tablename ?? row.table_name ?? ''));
    expect(ofReleaseTables(after.indexes)).toEqual(before.indexes);
    expect(new Set(after.columns.map((column) => column.table_name))).toEqual(
      new Set([...TABLES, ...ADDED_TABLES]),
    );
    const added = NEWER_MIGRATIONS.flatMap((migration) => migration.addsColumns);
    expect(ofReleaseTables(after.columns).filter((column) => !isAdded(column, added))).toEqual(
      before.columns,
    );
    expect(after.columns.filter((column) => isAdded(column, added))).toHaveLength(added.length);
    for (const table of TABLES.filter((name) => name !== 'migrations')) {
      const releaseColumns = (row: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(row).filter(([column]) => !added.includes(`${table}.${column}`)),
        );
      expect(after.rows[table].map(releaseColumns)).toEqual(before.rows[table]);
    }
  });

  it("serves the release's accounts: its users log in with their passwords", async () => {
    const tokens = await login(testApp, 'ada@example.com', 'correct horse battery');
    const me = await testApp.http.get('/users/me').set(bearer(tokens.accessToken)).expect(200);
    expect(me.body).toMatchObject({
      id: 'e291c3ae-3ab6-4eb0-bce2-1e342e51f1fa',
      email: 'ada@example.com',
      createdAt: '2026-12-05T13:06:55.704Z',
    });
  });
});
