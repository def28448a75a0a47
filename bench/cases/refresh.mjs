// Case 12, token refresh: the service's POST /auth/refresh, each connection rotating a session of
// its own in a chain (every request presents the refresh token the previous answer returned, so
// each one is a real rotation: JWT check, session read, conditional UPDATE and audit row in one
// transaction, the auth cache's EVALSHA, two tokens signed), against a plain node:http server
// doing the same work by hand (bench/baselines/plain-refresh.mjs) on the same database, Redis
// prefix, secret, issuer and audience. autocannon cannot chain bodies, so each connection is a
// jsonClient loop (loopLoad); the two sides alternate in short slices, each side with its own
// sessions. The sessions are logins of one user registered at bcrypt cost 4 (setup only: no
// bcrypt runs during the load), deleted at the end with its sessions; the audit rows stay (the
// table is append-only; the retention prune takes them).
// Target: the service makes at least 0.5 of the baseline's refreshes/s (median of the slices),
// with no failed refresh.
// Usage: npm run build && node bench/cases/refresh.mjs [seconds=4] [connections=50] [rounds=4]
import {
  alternateSides,
  clearPrefix,
  printComparison,
  runWhenMain,
  startBaseline,
} from '../lib/baseline.mjs';
import { jsonClient } from '../lib/http-client.mjs';
import { loopLoad, median } from '../lib/load.mjs';
import { freePorts } from '../lib/ports.mjs';
import { deleteUser, registerUser, startService } from '../lib/service.mjs';

const NAME = 'refresh';
const WARM_UP_SECONDS = 3;
const TARGET = 0.5;
const BCRYPT_COST = 4;
const SIDES = ['service', 'baseline'];
/** Sessions the checks use up, besides one per connection and side. */
const CHECK_SESSIONS = 3;

export async function run({ seconds = 4, connections = 50, rounds = 4 } = {}) {
  const prefix = `tm-bench-refresh-${process.pid}:`;
  // Both servers get these: each must accept what the other signs, as two instances would.
  const env = {
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: 'refresh-benchmark-secret-refresh-benchmark-secret',
    JWT_ISSUER: 'tempmessenger-bench',
    JWT_AUDIENCE: 'tempmessenger-bench',
  };
  const [servicePort, baselinePort] = await freePorts(2);
  const service = await startService({
    port: servicePort,
    env: { ...env, BCRYPT_COST: String(BCRYPT_COST) },
  });
  let baseline;
  let user;
  const clients = {};
  try {
    baseline = await startBaseline('plain-refresh.mjs', baselinePort, env);
    clients.service = jsonClient(service.base, { sockets: connections });
    clients.baseline = jsonClient(baseline.base, { sockets: connections });
    user = await registerUser(service.base, 'refresh');
    const sessions = await logIns(clients.service, user, 2 * connections + CHECK_SESSIONS);
    await expectSameRotation(clients, sessions.splice(0, CHECK_SESSIONS));
    // Each side's chains: one current refresh token per connection.
    const chains = { service: sessions.splice(0, connections), baseline: sessions };
    const measure = (side, duration = seconds) =>
      loopLoad({
        connections,
        duration,
        step: (loop) => rotate(clients[side], chains[side], loop, side),
      });
    // Warm-up: JIT, both pools, the script cached on both Redis clients.
    for (const side of SIDES) await measure(side, WARM_UP_SECONDS);
    const rows = await alternateSides({ rounds, measure });
    const ratio = median(rows.map((row) => row.ratio));
    return {
      case: NAME,
      target: `service refreshes/s ≥ ${TARGET} × baseline (plain node:http doing the same rotation by hand)`,
      settings: { seconds, connections, rounds, bcryptCost: BCRYPT_COST },
      rows,
      ratio,
      met:
        ratio >= TARGET &&
        rows.every((row) => row.service.failures === 0 && row.baseline.failures === 0),
      rssMb: await service.rssMb(),
    };
  } finally {
    for (const client of Object.values(clients)) client.close();
    await baseline?.stop();
    if (user) await deleteUser(service.base, user);
    await service.stop();
    await clearPrefix(prefix);
  }
}

function refresh(client, refreshToken) {
  return client.request({ method: 'POST', path: '/auth/refresh', body: { refreshToken } });
}

/** One link of a chain: the loop's token for the next; false (the chain ends) on any non-200. */
export async function rotate(client, chain, loop, side) {
  const answer = await refresh(client, chain[loop]);
  if (answer.status === 200 && typeof answer.body?.refreshToken === 'string') {
    chain[loop] = answer.body.refreshToken;
    return true;
  }
  console.warn(
    `${side} refresh failed: ${answer.status ?? answer.error} ${JSON.stringify(answer.body)}`,
  );
  return false;
}

/** `count` sessions of `user`, as their refresh tokens; eight logins in flight at a time. */
export async function logIns(client, { email, password }, count) {
  const tokens = [];
  while (tokens.length < count) {
    const batch = Math.min(8, count - tokens.length);
    const answers = await Promise.all(
      Array.from({ length: batch }, () =>
        client.request({ method: 'POST', path: '/auth/login', body: { email, password } }),
      ),
    );
    for (const answer of answers) tokens.push(expectStatus(answer, 200, 'login').refreshToken);
  }
  return tokens;
}

/**
 * The baseline must rotate as the service does, or the comparison means nothing:
 * - one chain across both (as two instances sharing a database and a secret would): each accepts
 *   what the other signed, and the token the last rotation replaced, presented again within the
 *   reuse interval, gets the same refresh token from the baseline, byte for byte, as the service
 *   signed (same claims, same order); its access token opens the service's GET /users/me;
 * - on each side alone: a rotated-away token presented again (not the last one replaced) is
 *   REFRESH_REUSED and ends the session, whose current token is then REFRESH_INVALID; an access
 *   token, a forged token and a body without the token get the same refusals on both.
 */
async function expectSameRotation(clients, [shared, ...own]) {
  const t1 = expectStatus(await refresh(clients.service, shared), 200, 'service rotation');
  const t2 = expectStatus(await refresh(clients.baseline, t1.refreshToken), 200, 'baseline, t1');
  const t3 = expectStatus(await refresh(clients.service, t2.refreshToken), 200, 'service, t2');
  const again = expectStatus(await refresh(clients.baseline, t2.refreshToken), 200, 'repeat');
  if (again.refreshToken !== t3.refreshToken) {
    throw new Error('the baseline re-signs a grant differently from the service');
  }
  expectStatus(
    await clients.service.request({ path: '/users/me', token: again.accessToken }),
    200,
    "the baseline's access token on the service",
  );

  const answers = {};
  for (const [index, side] of SIDES.entries()) {
    const client = clients[side];
    const first = expectStatus(await refresh(client, own[index]), 200, `${side} rotation`);
    const second = expectStatus(await refresh(client, first.refreshToken), 200, `${side} rotation`);
    const forged = `${second.accessToken.slice(0, second.accessToken.lastIndexOf('.'))}.forged`;
    answers[side] = [
      await refresh(client, own[index]), // rotated away two rotations ago: reuse
      await refresh(client, second.refreshToken), // the session reuse ended
      await refresh(client, second.accessToken),
      await refresh(client, forged),
      await client.request({ method: 'POST', path: '/auth/refresh', body: {} }),
    ].map(({ status, body }) => `${status} ${JSON.stringify(body)}`);
  }
  const expected = [403, 403, 403, 403, 400];
  for (const [index, status] of expected.entries()) {
    const [service, baseline] = SIDES.map((side) => answers[side][index]);
    if (service !== baseline || !service.startsWith(`${status} `)) {
      throw new Error(
        `baseline answers differently:\n  service:  ${service}\n  baseline: ${baseline}`,
      );
    }
  }
  if (!answers.service[0].includes('REFRESH_REUSED')) throw new Error('no reuse detected');
}

function expectStatus(answer, status, what) {
  if (answer.status !== status) {
    throw new Error(
      `${what}: ${answer.status ?? answer.error} ${JSON.stringify(answer.body)} (expected ${status})`,
    );
  }
  return answer.body;
}

await runWhenMain(import.meta.url, run, (result) => {
  printComparison(result);
  console.log(`settings: ${JSON.stringify(result.settings)}`);
});
