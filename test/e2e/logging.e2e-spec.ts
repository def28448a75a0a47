import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CURRENT_LOG_LINK, ROTATED_LOG_FILE } from '../../src/common/logging';
import { LogDestination } from '../../src/common/logging/log-destination';
import { startTestApp, type TestApp } from './support/test-app';
import { testConfig } from './support/test-environment';

/** Log files are written asynchronously: poll until the condition holds or time runs out. */
async function eventually<T>(
  read: () => T,
  accept: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = read();
  }
  return value;
}

/** The log's lines, parsed. */
function parseLines(content: string): Record<string, unknown>[] {
  return content
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, CURRENT_LOG_LINK), 'utf8');
  } catch {
    return '';
  }
}

describe('request logging', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ LOG_LEVEL: 'info' });
  });

  afterAll(() => testApp.close());

  it('writes one JSON line per request to the log file, without secrets', async () => {
    const secret = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJl';
    await testApp.http
      .get('/health?access_token=query-secret-value')
      .set('Authorization', `Bearer ${secret}`)
      .set('X-Request-Id', 'log-line-test-1')
      .set('User-Agent', 'logging-e2e')
      .expect(200);

    const content = await eventually(
      () => readLog(testApp.config.log.dir),
      (text) => text.includes('log-line-test-1'),
    );
    const lines = parseLines(content).filter((line) => line.requestId === 'log-line-test-1');

    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual(
      expect.objectContaining({
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        requestId: 'log-line-test-1',
        method: 'GET',
        path: '/health',
        route: '/health',
        status: 200,
        durationMs: expect.any(Number),
        ip: expect.any(String),
        userAgent: 'logging-e2e',
      }),
    );
    expect(content).not.toContain(secret);
    expect(content).not.toContain('query-secret-value');
    expect(content.toLowerCase()).not.toContain('authorization');
  });

  it('gives auth events the request id of the request that caused them', async () => {
    const email = `log-events-${Date.now()}@example.com`;
    const credentials = { email, password: 'a-good-password' };
    await testApp.http
      .post('/auth/register')
      .set('X-Request-Id', 'log-event-register')
      .send({ firstName: 'Log', lastName: 'Events', ...credentials })
      .expect(201);
    await testApp.http
      .post('/auth/login')
      .set('X-Request-Id', 'log-event-login')
      .send({ ...credentials, password: 'a-wrong-password' })
      .expect(401);

    const content = await eventually(
      () => readLog(testApp.config.log.dir),
      (text) => text.includes('"login.failed"'),
    );
    const events = parseLines(content).filter((line) => line.msg === 'auth event');
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'user.registered', requestId: 'log-event-register' }),
        expect.objectContaining({ event: 'login.failed', requestId: 'log-event-login' }),
      ]),
    );
    expect(content).not.toContain('a-good-password');
    expect(content).not.toContain('a-wrong-password');
  });

  it('logs requests that never reach a handler: unknown routes and unreadable bodies', async () => {
    await testApp.http.get('/missing').set('X-Request-Id', 'log-404').expect(404);
    await testApp.http
      .post('/health')
      .set('X-Request-Id', 'log-400')
      .set('Content-Type', 'application/json')
      .send('{oops')
      .expect(400);

    const content = await eventually(
      () => readLog(testApp.config.log.dir),
      (text) => text.includes('log-404') && text.includes('log-400'),
    );
    expect(content).toMatch(/"requestId":"log-404".*"status":404/);
    expect(content).toMatch(/"requestId":"log-400".*"status":400/);
  });

  it('cuts the User-Agent of the access line to 512 characters', async () => {
    const userAgent = `agent-${'u'.repeat(5000)}`;
    await testApp.http
      .get('/health')
      .set('X-Request-Id', 'log-long-agent')
      .set('User-Agent', userAgent)
      .expect(200);

    const content = await eventually(
      () => readLog(testApp.config.log.dir),
      (text) => text.includes('log-long-agent'),
    );
    const [line] = parseLines(content).filter((entry) => entry.requestId === 'log-long-agent');
    expect(line.userAgent).toBe(userAgent.slice(0, 512));
  });

  describe('exactly one access line per request', () => {
    let account: { id: string; accessToken: string };

    beforeAll(async () => {
      const response = await testApp.http
        .post('/auth/register')
        .send({
          firstName: 'One',
          lastName: 'Line',
          email: `log-one-line-${Date.now()}@example.com`,
          password: 'a-good-password',
        })
        .expect(201);
      account = { id: response.body.user.id, accessToken: response.body.accessToken };
    });

    /**
     * The access lines of one request, read once the line of a request sent after it is in the
     * file: lines reach the file in the order they are written, so a second line would be there.
     */
    async function accessLinesOf(requestId: string): Promise<Record<string, unknown>[]> {
      const later = `${requestId}-later`;
      await testApp.http.get('/health').set('X-Request-Id', later).expect(200);
      const content = await eventually(
        () => readLog(testApp.config.log.dir),
        (text) => text.includes(`"${later}"`),
      );
      return parseLines(content).filter(
        (line) =>
          line.requestId === requestId &&
          (line.msg === 'request completed' || line.msg === 'request failed'),
      );
    }

    it('for a handler that succeeds, with its route and caller', async () => {
      await testApp.http
        .get('/users/me')
        .set('Authorization', `Bearer ${account.accessToken}`)
        .set('X-Request-Id', 'log-once-success')
        .expect(200);

      expect(await accessLinesOf('log-once-success')).toEqual([
        expect.objectContaining({
          level: 'info',
          route: '/users/me',
          status: 200,
          userId: account.id,
          durationMs: expect.any(Number),
        }),
      ]);
    });

    it('for a handler that throws a domain error, with the status the filter chose', async () => {
      await testApp.http
        .get('/messages/00000000-0000-4000-8000-000000000000')
        .set('X-Request-Id', 'log-once-domain-error')
        .expect(404);

      expect(await accessLinesOf('log-once-domain-error')).toEqual([
        expect.objectContaining({ level: 'info', route: '/messages/:id', status: 404 }),
      ]);
    });

    it('for a request a guard refuses, before or after authentication', async () => {
      await testApp.http.get('/users/me').set('X-Request-Id', 'log-once-401').expect(401);
      await testApp.http
        .get('/users')
        .set('Authorization', `Bearer ${account.accessToken}`)
        .set('X-Request-Id', 'log-once-403')
        .expect(403);

      const unauthenticated = await accessLinesOf('log-once-401');
      expect(unauthenticated).toEqual([
        expect.objectContaining({ route: '/users/me', status: 401 }),
      ]);
      expect(unauthenticated[0]).not.toHaveProperty('userId');
      expect(await accessLinesOf('log-once-403')).toEqual([
        expect.objectContaining({ route: '/users', status: 403, userId: account.id }),
      ]);
    });

    it('for an unknown route, with no route', async () => {
      await testApp.http.get('/no-such-route').set('X-Request-Id', 'log-once-404').expect(404);

      const lines = await accessLinesOf('log-once-404');
      expect(lines).toEqual([expect.objectContaining({ path: '/no-such-route', status: 404 })]);
      expect(lines[0]).not.toHaveProperty('route');
    });

    it('for a body refused before any handler', async () => {
      await testApp.http
        .post('/messages')
        .set('Content-Type', 'text/plain')
        .set('X-Request-Id', 'log-once-415')
        .send('not json')
        .expect(415);

      expect(await accessLinesOf('log-once-415')).toEqual([
        expect.objectContaining({ route: '/messages', status: 415 }),
      ]);
    });
  });
});

describe('start-up warnings', () => {
  // nestjs-pino keeps the first app's logger for lines written outside a request, as start-up
  // warnings are: each app of this block must write its own. Its reset for tests is not in the
  // package's exports map, hence the path.
  beforeEach(() => {
    const pinoLogger = join(dirname(require.resolve('nestjs-pino')), 'PinoLogger.js');
    const { __resetOutOfContextForTests } = createRequire(__filename)(pinoLogger) as {
      __resetOutOfContextForTests(): void;
    };
    __resetOutOfContextForTests();
  });

  it('warns that TRUST_PROXY=true lets any client pick its address, outside production', async () => {
    const testApp = await startTestApp({ NODE_ENV: 'development', TRUST_PROXY: 'true' });
    try {
      const content = await eventually(
        () => readLog(testApp.config.log.dir),
        (text) => text.includes('TRUST_PROXY=true'),
      );
      const warnings = parseLines(content).filter(
        (line) => line.level === 'warn' && String(line.msg).startsWith('TRUST_PROXY=true'),
      );
      expect(warnings).toEqual([
        expect.objectContaining({
          context: 'Config',
          msg: expect.stringContaining('give the number of proxies in front, e.g. TRUST_PROXY=1'),
        }),
      ]);
    } finally {
      await testApp.close();
    }
  });

  it('says nothing of the kind for a number of hops', async () => {
    const testApp = await startTestApp({ NODE_ENV: 'development', TRUST_PROXY: '1' });
    try {
      await testApp.http.get('/health').set('X-Request-Id', 'log-hops').expect(200);
      const content = await eventually(
        () => readLog(testApp.config.log.dir),
        (text) => text.includes('log-hops'),
      );
      expect(content).not.toContain('TRUST_PROXY');
    } finally {
      await testApp.close();
    }
  });
});

describe('a request cut off at its deadline', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ HTTP_REQUEST_TIMEOUT: '1s' });
  });

  afterAll(() => testApp.close());

  it('is no dependency failure and no error in the log', async () => {
    const { hostname, port } = new URL(await testApp.listen());
    const socket = connect(Number(port), hostname);
    socket.write(
      'POST /auth/login HTTP/1.1\r\nHost: localhost\r\n' +
        'X-Request-Id: log-cut-off\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    await new Promise((resolve) => socket.on('close', resolve));
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    await testApp.http.get('/health').set('X-Request-Id', 'log-after-cut').expect(200);

    const content = await eventually(
      () => readLog(testApp.config.log.dir),
      (text) => text.includes('log-after-cut'),
    );
    const complaints = parseLines(content).filter(
      (line) => line.level === 'warn' || line.level === 'error',
    );
    expect(complaints.filter((line) => line.context !== 'WebPage')).toEqual([]);
  });
});

describe('log rotation', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ LOG_MAX_SIZE: '1K', LOG_MAX_FILES: '3' });
  });

  afterAll(() => testApp.close());

  it('rotates the file at the size limit and keeps at most LOG_MAX_FILES rotated files', async () => {
    // Each access line is about 250 bytes, so 40 requests cross 1 KiB many times.
    for (let i = 0; i < 40; i++) await testApp.http.get('/health').expect(200);

    const dir = testApp.config.log.dir;
    const logFiles = () => readdirSync(dir).filter((name) => ROTATED_LOG_FILE.test(name));
    // Rotation and the pruning of old files happen in the logging worker; wait for them.
    const fileNumber = (name: string) => Number(name.split('.')[1]);
    const settled = (names: string[]) =>
      names.length >= 2 && names.length <= 4 && Math.max(...names.map(fileNumber)) > 4;
    let files = await eventually(logFiles, settled);
    // Old files are pruned a moment after a rotation: read once the listing stops changing.
    for (let previous: string[] = []; files.join() !== previous.join();) {
      previous = files;
      await new Promise((resolve) => setTimeout(resolve, 200));
      files = logFiles();
    }
    expect(readdirSync(dir)).toContain(CURRENT_LOG_LINK);
    // Three rotated files and the live one at the most, though more than that were written.
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(files.length).toBeLessThanOrEqual(4);
    expect(Math.max(...files.map(fileNumber))).toBeGreaterThan(4);
    // A file is closed once it passes 1 KiB (give or take the batch of lines the worker was
    // writing when it noticed), far below the ~12 KiB written in all.
    const live = basename(readlinkSync(join(dir, CURRENT_LOG_LINK)));
    for (const name of files.filter((file) => file !== live)) {
      const size = statSync(join(dir, name)).size;
      expect(size).toBeGreaterThan(0);
      expect(size).toBeLessThan(4096);
    }
  });
});

describe('the log destination', () => {
  // With stdout on, pino's worker puts a multistream in front of the targets: each needs the
  // loggers' level, or it keeps `info` and above only. The line below also reaches stdout.
  it.each([false, true])(
    'writes lines of every level LOG_LEVEL lets through to the file, stdout %s',
    async (stdout) => {
      const dir = mkdtempSync(join(tmpdir(), 'tempmessenger-log-destination-'));
      const config = testConfig({ LOG_LEVEL: 'trace', LOG_DIR: dir });
      const destination = new LogDestination({ ...config, log: { ...config.log, stdout } });
      try {
        destination.logger.trace({ probe: `trace-${stdout}` }, 'a trace line');
        destination.logger.debug({ probe: `debug-${stdout}` }, 'a debug line');

        const content = await eventually(
          () => readLog(dir),
          (text) => text.includes(`debug-${stdout}`) && text.includes(`trace-${stdout}`),
        );
        expect(parseLines(content).map((line) => [line.level, line.probe])).toEqual([
          ['trace', `trace-${stdout}`],
          ['debug', `debug-${stdout}`],
        ]);
      } finally {
        destination.onApplicationShutdown();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
