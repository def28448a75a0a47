import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { runCli } from '../../src/cli';
import { bearer, login, registerAccount, uniqueEmail } from './support/accounts';
import { type AppUnderTest, startTestApp, useTestApp } from './support/test-app';
import { TEST_DATABASE_URL, testConfig } from './support/test-environment';

interface CliRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

/** Runs the CLI in-process on the test stores, collecting what it prints. */
async function cli(...argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, testConfig(), {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out, err };
}

const text = (run: CliRun) => [...run.out, ...run.err].join('\n');

/**
 * Boots a test app for the checks that follow a CLI command. An app started before an in-process
 * CLI command stops authenticating (see the last test), so every check gets an app of its own.
 */
async function withApp<T>(work: (testApp: AppUnderTest) => Promise<T>): Promise<T> {
  const testApp = await startTestApp();
  try {
    return await work(testApp);
  } finally {
    await testApp.close();
  }
}

describe('CLI', () => {
  let db: Client;

  async function userRows(email: string): Promise<{ id: string; email: string; role: string }[]> {
    const result = await db.query<{ id: string; email: string; role: string }>(
      'SELECT id, email, role FROM users WHERE lower(email) = lower($1)',
      [email],
    );
    return result.rows;
  }

  beforeAll(async () => {
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });

  afterAll(() => db.end());

  describe('usage', () => {
    it('exits 2 with the usage without a command', async () => {
      const run = await cli();
      expect(run.code).toBe(2);
      expect(text(run)).toContain('Usage:');
      for (const command of ['create-admin', 'promote', 'prune', 'migrate']) {
        expect(text(run)).toContain(command);
      }
    });

    it('exits 2 naming an unknown command', async () => {
      const run = await cli('frobnicate');
      expect(run.code).toBe(2);
      expect(run.err.join('\n')).toContain('Unknown command "frobnicate"');
      expect(run.err.join('\n')).toContain('Usage:');
      expect(run.out).toEqual([]);
    });

    it('exits 2 for an unknown option', async () => {
      const run = await cli('create-admin', '--email', uniqueEmail(), '--bogus', 'x');
      expect(run.code).toBe(2);
      expect(run.err.join('\n')).toMatch(/bogus/);
    });
  });

  describe('create-admin', () => {
    const password = 'admin passphrase 1';

    it('creates an admin with a normalized email', async () => {
      const email = uniqueEmail('cli-admin');
      const run = await cli(
        'create-admin',
        '--email',
        `  ${email.toUpperCase()}  `,
        '--password',
        password,
      );
      expect(run.code).toBe(0);
      expect(run.err).toEqual([]);
      expect(run.out.join('\n')).toContain(email);
      expect(text(run)).not.toContain(password);

      const rows = await userRows(email);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ email, role: 'admin' });
      expect(run.out.join('\n')).toContain(rows[0].id);

      await withApp(async (testApp) => {
        const tokens = await login(testApp, email, password);
        const me = await testApp.http.get('/users/me').set(bearer(tokens.accessToken)).expect(200);
        expect(me.body).toMatchObject({
          id: rows[0].id,
          email,
          role: 'admin',
          firstName: 'Admin',
          lastName: 'User',
        });
        await testApp.http.get('/users?limit=1').set(bearer(tokens.accessToken)).expect(200);
      });
    });

    it('takes the names from --first-name and --last-name', async () => {
      const email = uniqueEmail('cli-named');
      const run = await cli(
        'create-admin',
        '--email',
        email,
        '--password',
        password,
        '--first-name',
        ' Grace ',
        '--last-name',
        'Hopper',
      );
      expect(run.code).toBe(0);
      await withApp(async (testApp) => {
        const tokens = await login(testApp, email, password);
        const me = await testApp.http.get('/users/me').set(bearer(tokens.accessToken)).expect(200);
        expect(me.body).toMatchObject({ firstName: 'Grace', lastName: 'Hopper', role: 'admin' });
      });
    });

    it('exits 1 with a clear message for an email already registered', async () => {
      const existing = await withApp((testApp) => registerAccount(testApp));
      for (const email of [existing.email, existing.email.toUpperCase()]) {
        const run = await cli('create-admin', '--email', email, '--password', password);
        expect(run.code).toBe(1);
        expect(run.err.join('\n')).toContain('User already exists');
        expect(run.out).toEqual([]);
      }
      const rows = await userRows(existing.email);
      expect(rows).toEqual([expect.objectContaining({ id: existing.id, role: 'user' })]);
      await withApp((testApp) => login(testApp, existing.email, existing.password));
    });

    it('writes no password hash or password to the console when the email is taken', async () => {
      const existing = await withApp((testApp) => registerAccount(testApp));
      const printed: string[] = [];
      const capture = (...args: unknown[]) => {
        printed.push(args.map((arg) => (typeof arg === 'string' ? arg : String(arg))).join(' '));
        return true;
      };
      const spies = [
        jest.spyOn(console, 'log').mockImplementation(capture),
        jest.spyOn(console, 'error').mockImplementation(capture),
        jest.spyOn(console, 'warn').mockImplementation(capture),
        jest.spyOn(process.stdout, 'write').mockImplementation(capture),
        jest.spyOn(process.stderr, 'write').mockImplementation(capture),
      ];
      let run: CliRun;
      try {
        run = await cli('create-admin', '--email', existing.email, '--password', password);
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
      expect(run.code).toBe(1);
      const everything = [...printed, ...run.out, ...run.err].join('\n');
      expect(everything).not.toMatch(/\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}/);
      expect(everything).not.toContain(password);
    });

    it('exits 2 naming the email for a bad email', async () => {
      const run = await cli('create-admin', '--email', 'not-an-email', '--password', password);
      expect(run.code).toBe(2);
      expect(run.err.join('\n')).toMatch(/email/);
      expect(await userRows('not-an-email')).toEqual([]);
    });

    it('exits 2 naming the password for a short password, and creates nothing', async () => {
      const email = uniqueEmail('cli-short');
      const run = await cli('create-admin', '--email', email, '--password', 'Xq7#zz');
      expect(run.code).toBe(2);
      expect(run.err.join('\n')).toMatch(/password/);
      expect(text(run)).not.toContain('Xq7#zz');
      expect(await userRows(email)).toEqual([]);
    });

    it('exits 2 naming what is missing', async () => {
      const noEmail = await cli('create-admin', '--password', password);
      expect(noEmail.code).toBe(2);
      expect(noEmail.err.join('\n')).toMatch(/email/);
      const email = uniqueEmail('cli-nopass');
      const noPassword = await cli('create-admin', '--email', email);
      expect(noPassword.code).toBe(2);
      expect(noPassword.err.join('\n')).toMatch(/password/);
      expect(await userRows(email)).toEqual([]);
    });
  });

  describe('promote', () => {
    it('makes a registered user an admin; its existing token acts as admin at once', async () => {
      const account = await withApp(async (testApp) => {
        const registered = await registerAccount(testApp);
        // Used first, so the user's state (role "user") sits in the shared cache.
        const before = await testApp.http.get('/users').set(bearer(registered.accessToken));
        expect(before.status).toBe(403);
        expect(before.body.code).toBe('FORBIDDEN');
        return registered;
      });

      const run = await cli('promote', `  ${account.email.toUpperCase()} `);
      expect(run.code).toBe(0);
      expect(run.err).toEqual([]);
      expect(run.out.join('\n')).toContain(account.email);
      expect(await userRows(account.email)).toEqual([
        expect.objectContaining({ id: account.id, role: 'admin' }),
      ]);

      await withApp(async (testApp) => {
        await testApp.http.get('/users?limit=1').set(bearer(account.accessToken)).expect(200);
        const me = await testApp.http.get('/users/me').set(bearer(account.accessToken)).expect(200);
        expect(me.body.role).toBe('admin');
      });
    });

    it('exits 1 "User not found." for an unknown email', async () => {
      const run = await cli('promote', uniqueEmail('nobody'));
      expect(run.code).toBe(1);
      expect(run.err.join('\n')).toContain('User not found.');
    });

    it('exits 2 without exactly one email', async () => {
      expect((await cli('promote')).code).toBe(2);
      expect((await cli('promote', uniqueEmail(), uniqueEmail())).code).toBe(2);
    });
  });

  describe('prune', () => {
    it('exits 0 and prints the counts it deleted', async () => {
      const account = await withApp((testApp) => registerAccount(testApp));
      const jtis = [randomUUID(), randomUUID()];
      for (const jti of jtis) {
        await db.query(
          `INSERT INTO blacklist_tokens (jti, user_id, expires_at)
           VALUES ($1, $2, now() - interval '1 minute')`,
          [jti, account.id],
        );
      }
      const sessionId = randomUUID();
      await db.query(
        `INSERT INTO sessions (id, user_id, refresh_jti, expires_at)
         VALUES ($1, $2, $3, now() - interval '3 days')`,
        [sessionId, account.id, randomUUID()],
      );

      const auditEventId = randomUUID();
      await db.query(
        `INSERT INTO audit_events (id, event, user_id, at)
         VALUES ($1, 'logout', $2, now() - interval '91 days')`,
        [auditEventId, account.id],
      );

      const run = await cli('prune');
      expect(run.code).toBe(0);
      expect(run.err).toEqual([]);
      const line = run.out.join('\n');
      const match =
        /Deleted (\d+) expired blacklist entries, (\d+) expired sessions, (\d+) spent mail tokens and (\d+) audit events past their retention\./.exec(
          line,
        );
      expect(match).not.toBeNull();
      expect(Number(match![1])).toBeGreaterThanOrEqual(2);
      expect(Number(match![2])).toBeGreaterThanOrEqual(1);
      expect(Number(match![4])).toBeGreaterThanOrEqual(1);

      const left = await db.query(
        `SELECT (SELECT count(*) FROM blacklist_tokens WHERE jti = ANY($1::uuid[]))::int AS tokens,
                (SELECT count(*) FROM sessions WHERE id = $2)::int AS sessions,
                (SELECT count(*) FROM audit_events WHERE id = $3)::int AS "auditEvents"`,
        [jtis, sessionId, auditEventId],
      );
      expect(left.rows[0]).toEqual({ tokens: 0, sessions: 0, auditEvents: 0 });
    });
  });

  describe('migrate', () => {
    it('exits 0 with the migrations applied', async () => {
      const run = await cli('migrate');
      expect(run.code).toBe(0);
      expect(run.err).toEqual([]);
      expect(run.out.join('\n')).toMatch(/migrations/i);
      const tables = await db.query(
        `SELECT table_name FROM information_schema.tables
         WHERE table_schema = 'public' AND table_name IN ('users', 'sessions', 'blacklist_tokens')`,
      );
      expect(tables.rows).toHaveLength(3);
    });
  });

  describe('in the same process as a running app', () => {
    const testApp = useTestApp();

    it('leaves an app started before the command able to authenticate', async () => {
      const account = await registerAccount(testApp);
      await testApp.http.get('/users/me').set(bearer(account.accessToken)).expect(200);

      expect((await cli('promote', account.email)).code).toBe(0);

      const me = await testApp.http.get('/users/me').set(bearer(account.accessToken));
      expect({ status: me.status, role: me.body.role }).toEqual({ status: 200, role: 'admin' });
      const again = await testApp.http
        .post('/auth/login')
        .send({ email: account.email, password: account.password });
      expect(again.status).toBe(200);
    });
  });
});
