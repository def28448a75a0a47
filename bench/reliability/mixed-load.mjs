// Reliability under load: `connections` virtual users, one keep-alive connection each, run mixed
// traffic against the built service for `seconds`, each one registering, then looping without
// think time over reads, posts and the occasional refresh, login and logout. Afterwards it
// checks that no response was a 5xx or a transport failure, and that no acknowledged write was
// lost: every 201 registration is a row in PostgreSQL, every 201 message is readable by id (same
// text, same author) and in the list.
// Usage: npm run bench:reliability [-- seconds=60 connections=200]
// Writes bench/results/reliability-load.json; exits 1 on any 5xx, transport error or lost write.
import { createReadStream, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { clearInterval, clearTimeout, setInterval } from 'node:timers';
import { URL } from 'node:url';
import pg from 'pg';
import { clearPrefix } from '../lib/baseline.mjs';
import { jsonClient } from '../lib/http-client.mjs';
import { freePorts } from '../lib/ports.mjs';
import { startService } from '../lib/service.mjs';

const DATABASE_URL =
  process.env.LOAD_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tempmessenger_load';
const REDIS_URL = process.env.LOAD_REDIS_URL ?? 'redis://127.0.0.1:6379/13';
const REDIS_PREFIX = 'tm-load:';
const RESULTS = 'bench/results/reliability-load.json';
// The run's users are deleted afterwards: never in a database that is not meant for this.
if (!/load/.test(new URL(DATABASE_URL).pathname)) {
  throw new Error(`LOAD_DATABASE_URL must name a database containing "load": ${DATABASE_URL}`);
}

// At the production cost 12 this machine hashes ~10 passwords a second: the opening
// registrations alone would take 20 s and every login would queue behind bcrypt, so the run would
// measure bcrypt, not the rest of the service. Cost 8 is 16 times cheaper and still a real hash on
// the libuv thread pool.
const BCRYPT_COST = process.env.BCRYPT_COST ?? '8';
const SERVICE_ENV = {
  DATABASE_URL,
  REDIS_URL,
  REDIS_KEY_PREFIX: REDIS_PREFIX,
  BCRYPT_COST,
  // Every virtual user comes from 127.0.0.1: 30 a minute would stop all but 30 registrations.
  AUTH_IP_LIMIT: '1000000',
  // A virtual user without think time posts about a message a second, above a person's 30 a
  // minute; the limit would answer 429 to load that is legitimate here.
  MESSAGE_POST_LIMIT: '1000000',
  // Legitimate users never fail a login, so the per-email limit keeps its default.
  LOGIN_MAX_FAILURES: '5',
  // Room for the whole run's access log (~40 MB a minute), so a failure's lines are not rotated away.
  LOG_MAX_FILES: '100',
};
// Messages outlive the run and the check.
const MESSAGE_TTL_SECONDS = 3600;
const PASSWORD = 'load-password';
const CHECK_SOCKETS = 20;
const MAX_SAMPLES = 50;
// Stops everything if the run hangs, whatever the cause.
const WATCHDOG_EXTRA_SECONDS = 300;

/** What a virtual user does after registering, by weight out of 100: mostly reads and posts. */
const STEPS = [
  { weight: 34, run: (user) => user.listMessages() },
  { weight: 25, run: (user) => user.readMe() },
  { weight: 20, run: (user) => user.postMessage() },
  { weight: 14, run: (user) => user.readOwnMessage() },
  { weight: 4, run: (user) => user.refresh() },
  { weight: 2, run: (user) => user.logoutAndLogin() },
  // A second device: a new session beside the current one.
  { weight: 1, run: (user) => user.login() },
];
const TOTAL_WEIGHT = STEPS.reduce((sum, step) => sum + step.weight, 0);

/** Every response of the load, per route, and what was acknowledged. */
class Recorder {
  routes = new Map();
  unexpected = 0;
  surprises = [];
  users = [];
  messages = [];

  add(route, response, expected) {
    let stats = this.routes.get(route);
    if (!stats) this.routes.set(route, (stats = { latencies: [], outcomes: {} }));
    stats.latencies.push(response.ms);
    const outcome = response.error ? `error ${response.error}` : String(response.status);
    stats.outcomes[outcome] = (stats.outcomes[outcome] ?? 0) + 1;
    if (outcome === String(expected)) return;
    this.unexpected++;
    if (this.surprises.length < MAX_SAMPLES) {
      this.surprises.push({
        at: new Date().toISOString(),
        route,
        outcome,
        code: response.body?.code,
        requestId: response.requestId,
      });
    }
  }
}

class VirtualUser {
  tokens = null;
  userId = null;
  lastMessageId = null;
  posts = 0;
  needsLogin = false;

  constructor(email, client, recorder) {
    this.email = email;
    this.client = client;
    this.recorder = recorder;
  }

  /** Sends one request, records it, and returns the body when the status is the expected one. */
  async call(route, path, { body, auth = false, expected = 200 } = {}) {
    const method = route.slice(0, route.indexOf(' '));
    const token = auth ? this.tokens.accessToken : undefined;
    const response = await this.client.request({ method, path, body, token });
    this.recorder.add(route, response, expected);
    if (response.status === expected) return response.body;
    // A refused token leaves the user nothing to do but log in again.
    if (auth && [401, 403].includes(response.status)) this.needsLogin = true;
    return null;
  }

  async register() {
    const registered = await this.call('POST /auth/register', '/auth/register', {
      body: { firstName: 'Load', lastName: 'User', email: this.email, password: PASSWORD },
      expected: 201,
    });
    if (!registered) return false;
    this.tokens = registered;
    this.userId = registered.user.id;
    this.recorder.users.push({ email: this.email, id: this.userId });
    return true;
  }

  async step() {
    if (this.needsLogin) return this.login();
    let pick = Math.random() * TOTAL_WEIGHT;
    const step = STEPS.find(({ weight }) => (pick -= weight) < 0) ?? STEPS[0];
    return step.run(this);
  }

  listMessages() {
    return this.call('GET /messages', '/messages?limit=20');
  }

  readMe() {
    return this.call('GET /users/me', '/users/me', { auth: true });
  }

  async postMessage() {
    const text = `${this.email} #${++this.posts}`;
    const message = await this.call('POST /messages', '/messages', {
      body: { message: text, ttlSeconds: MESSAGE_TTL_SECONDS },
      auth: true,
      expected: 201,
    });
    if (!message) return;
    this.lastMessageId = message.id;
    this.recorder.messages.push({ id: message.id, text, userId: this.userId });
  }

  /** Reads back what this user posted last (read-your-writes under load). */
  readOwnMessage() {
    if (!this.lastMessageId) return this.postMessage();
    return this.call('GET /messages/:id', `/messages/${this.lastMessageId}`);
  }

  async refresh() {
    const pair = await this.call('POST /auth/refresh', '/auth/refresh', {
      body: { refreshToken: this.tokens.refreshToken },
    });
    if (pair) this.tokens = pair;
    else this.needsLogin = true;
  }

  async login() {
    const session = await this.call('POST /auth/login', '/auth/login', {
      body: { email: this.email, password: PASSWORD },
    });
    this.needsLogin = !session;
    if (session) this.tokens = session;
  }

  async logoutAndLogin() {
    await this.call('POST /auth/logout', '/auth/logout', { auth: true });
    await this.login();
  }
}

/** One virtual user's life: register (a new address after a failure), then steps until the end. */
async function live(index, client, recorder, runId, deadline) {
  let user = null;
  for (let attempt = 1; !user && Date.now() < deadline; attempt++) {
    const candidate = new VirtualUser(`${runId}-${index}-${attempt}@example.com`, client, recorder);
    if (await candidate.register()) user = candidate;
    else await new Promise((resolve) => setTimeout(resolve, 200));
  }
  while (user && Date.now() < deadline) await user.step();
}

export async function run({ seconds = 60, connections = 200 } = {}) {
  const runId = `load-${Date.now().toString(36)}`;
  const [port] = await freePorts(1);
  await clearPrefix(REDIS_PREFIX, REDIS_URL);
  // A failed run keeps the service's log as evidence (cleanUp removes it after a pass).
  const service = await startService({ port, env: SERVICE_ENV, keepLogs: true });
  const watchdog = setTimeout(
    async () => {
      console.error(`run still going after ${seconds + WATCHDOG_EXTRA_SECONDS} s: stopping`);
      await service.stop();
      process.exit(2);
    },
    (seconds + WATCHDOG_EXTRA_SECONDS) * 1000,
  );
  watchdog.unref();
  let passed = false;
  try {
    const recorder = new Recorder();
    const rss = [];
    const sampler = setInterval(async () => rss.push(await service.rssMb().catch(() => NaN)), 1000);
    const clients = Array.from({ length: connections }, () => jsonClient(service.base));
    const started = Date.now();
    const cpuBefore = { client: process.cpuUsage(), service: await service.cpuSeconds() };
    const deadline = started + seconds * 1000;
    try {
      await Promise.all(clients.map((client, i) => live(i, client, recorder, runId, deadline)));
    } finally {
      clearInterval(sampler);
      for (const client of clients) client.close();
    }
    const elapsed = (Date.now() - started) / 1000;
    const rssAfterLoad = await service.rssMb();
    // Both sides share the machine's cores: what each used says how far the load generator itself
    // limited the figures.
    const { user, system } = process.cpuUsage(cpuBefore.client);
    const coresUsed = {
      service: round(((await service.cpuSeconds()) - cpuBefore.service) / elapsed),
      loadGenerator: round((user + system) / 1e6 / elapsed),
    };

    const registrations = await checkRegistrations(recorder.users);
    const messages = await checkMessages(service.base, recorder.messages);
    const routes = summarize(recorder.routes, elapsed);
    const all = routes.find((route) => route.route === 'all');
    const serverErrors = countOutcomes(all.outcomes, (outcome) => /^5\d\d$/.test(outcome));
    const transportErrors = countOutcomes(all.outcomes, (outcome) => outcome.startsWith('error'));
    passed =
      serverErrors === 0 &&
      transportErrors === 0 &&
      registrations.lost === 0 &&
      messages.unreadable === 0 &&
      messages.unlisted === 0;
    await service.stop();
    return {
      case: 'reliability-load',
      date: new Date().toISOString(),
      settings: {
        seconds,
        connections,
        service: SERVICE_ENV,
        messageTtlSeconds: MESSAGE_TTL_SECONDS,
      },
      elapsedSeconds: elapsed,
      routes,
      serverErrors,
      transportErrors,
      unexpected: { count: recorder.unexpected, samples: recorder.surprises },
      registrations,
      messages,
      coresUsed,
      rssMb: {
        peak: Math.max(rssAfterLoad, ...rss.filter(Number.isFinite)),
        afterLoad: rssAfterLoad,
      },
      serviceLog: { dir: service.logDir, ...(await scanLog(service.logDir)) },
      passed,
    };
  } finally {
    clearTimeout(watchdog);
    await service.stop();
    // A failed run keeps its data and the service log, as evidence.
    if (passed) await cleanUp(runId, service.logDir);
  }
}

/** Every acknowledged registration must be a row with the id the service answered. */
async function checkRegistrations(users) {
  const rows = await query('SELECT id, email FROM users WHERE email = ANY($1::text[])', [
    users.map((user) => user.email),
  ]);
  const stored = new Map(rows.map((row) => [row.email, row.id]));
  const lost = users.filter((user) => stored.get(user.email) !== user.id);
  return {
    acknowledged: users.length,
    found: users.length - lost.length,
    lost: lost.length,
    lostSamples: lost.slice(0, MAX_SAMPLES),
  };
}

/**
 * Every acknowledged message must still be readable by id, with its text and author, and be in
 * the list (paged through to the end).
 */
async function checkMessages(base, messages) {
  const client = jsonClient(base, { sockets: CHECK_SOCKETS });
  try {
    const unreadable = [];
    let next = 0;
    const reader = async () => {
      while (next < messages.length) {
        const message = messages[next++];
        const response = await client.request({ path: `/messages/${message.id}` });
        const { body } = response;
        if (
          response.status !== 200 ||
          body?.message !== message.text ||
          body?.userId !== message.userId
        ) {
          unreadable.push({
            id: message.id,
            outcome: response.status ?? response.error,
            code: body?.code,
            requestId: response.requestId,
          });
        }
      }
    };
    await Promise.all(Array.from({ length: CHECK_SOCKETS }, reader));

    const listed = new Set();
    let cursor = null;
    // Bounded: a cursor that never ends the list must not hang the check.
    for (let page = 0; page === 0 || (cursor && page < messages.length / 500 + 100); page++) {
      const path = `/messages?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await client.request({ path });
      if (response.status !== 200)
        throw new Error(`listing messages: ${response.status ?? response.error}`);
      for (const item of response.body.items) listed.add(item.id);
      cursor = response.body.nextCursor;
    }
    const unlisted = messages.filter((message) => !listed.has(message.id));
    return {
      acknowledged: messages.length,
      readableById: messages.length - unreadable.length,
      unreadable: unreadable.length,
      unreadableSamples: unreadable.slice(0, MAX_SAMPLES),
      inList: messages.length - unlisted.length,
      unlisted: unlisted.length,
      unlistedSamples: unlisted.slice(0, MAX_SAMPLES).map((message) => message.id),
    };
  } finally {
    client.close();
  }
}

/** Counts, rates and latency percentiles per route, and for all routes together. */
function summarize(routes, elapsed) {
  const rows = [...routes].map(([route, stats]) => ({ route, ...stats }));
  rows.sort((a, b) => b.latencies.length - a.latencies.length);
  const outcomes = {};
  for (const row of rows) {
    for (const [outcome, count] of Object.entries(row.outcomes)) {
      outcomes[outcome] = (outcomes[outcome] ?? 0) + count;
    }
  }
  rows.push({ route: 'all', latencies: rows.flatMap((row) => row.latencies), outcomes });
  return rows.map(({ route, latencies, outcomes: counts }) => {
    const sorted = Float64Array.from(latencies).sort();
    return {
      route,
      requests: sorted.length,
      perSecond: round(sorted.length / elapsed),
      p50Ms: round(percentile(sorted, 50)),
      p99Ms: round(percentile(sorted, 99)),
      maxMs: round(sorted[sorted.length - 1]),
      outcomes: counts,
    };
  });
}

const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
const round = (value) => Math.round(value * 10) / 10;

function countOutcomes(outcomes, matches) {
  return Object.entries(outcomes)
    .filter(([outcome]) => matches(outcome))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** Warn, error and fatal lines of the service log (its files, not the link to the live one). */
async function scanLog(dir) {
  const counts = { warn: 0, error: 0, fatal: 0 };
  const samples = [];
  const files = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isFile());
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(join(dir, file.name)) });
    for await (const line of lines) {
      const level = /"level":"(warn|error|fatal)"/.exec(line)?.[1];
      if (!level) continue;
      counts[level]++;
      if (samples.length < 10) samples.push(line.slice(0, 500));
    }
  }
  return { counts, samples };
}

async function query(text, values) {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** The run's users (their sessions and revoked tokens cascade), messages and log go. */
async function cleanUp(runId, logDir) {
  await query('DELETE FROM users WHERE email LIKE $1', [`${runId}-%`]);
  await clearPrefix(REDIS_PREFIX, REDIS_URL);
  rmSync(logDir, { recursive: true, force: true });
}

export function print(result) {
  const { settings: s } = result;
  console.log(
    `\nMixed load — ${s.connections} connections, ${s.seconds} s (${result.elapsedSeconds.toFixed(1)} s to the last answer), bcrypt cost ${s.service.BCRYPT_COST}`,
  );
  const table = [
    ['route', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'statuses'],
    ...result.routes.map((row) => [
      row.route,
      row.requests,
      row.perSecond,
      row.p50Ms,
      row.p99Ms,
      row.maxMs,
      Object.entries(row.outcomes)
        .map(([outcome, count]) => `${outcome}: ${count}`)
        .join(', '),
    ]),
  ];
  const widths = table[0].map((_, column) =>
    Math.max(...table.map((row) => String(row[column]).length)),
  );
  for (const row of table) {
    console.log(
      row
        .map((cell, column) => String(cell).padEnd(widths[column]))
        .join(' | ')
        .trimEnd(),
    );
  }
  const { registrations: r, messages: m } = result;
  console.log(
    `5xx: ${result.serverErrors}, transport errors: ${result.transportErrors}, other unexpected answers: ${result.unexpected.count - result.serverErrors - result.transportErrors}`,
  );
  console.log(
    `registrations: ${r.acknowledged} acknowledged, ${r.found} in PostgreSQL, ${r.lost} lost`,
  );
  console.log(
    `messages: ${m.acknowledged} acknowledged, ${m.readableById} readable by id, ${m.inList} in the list`,
  );
  console.log(
    `service RSS: peak ${result.rssMb.peak.toFixed(0)} MB, after the load ${result.rssMb.afterLoad.toFixed(0)} MB`,
  );
  console.log(
    `cores used: service ${result.coresUsed.service}, load generator ${result.coresUsed.loadGenerator}`,
  );
  const log = result.serviceLog.counts;
  console.log(`service log: ${log.warn} warn, ${log.error} error, ${log.fatal} fatal lines`);
  console.log(result.passed ? 'PASSED' : `FAILED — service log kept in ${result.serviceLog.dir}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [seconds = 60, connections = 200] = process.argv.slice(2).map(Number);
  const result = await run({ seconds, connections });
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(RESULTS, JSON.stringify(result, null, 2));
  print(result);
  console.log(`results: ${RESULTS}`);
  if (!result.passed) process.exitCode = 1;
}
