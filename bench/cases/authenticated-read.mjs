// Case 2, authenticated read: the service's GET /users/me with a valid access token (HS256 check,
// revocation check — one Redis MGET while the auth-state cache is warm —, user row) against a
// plain node:http server doing the same work by hand (bench/baselines/plain-users-me.mjs), with
// the same JWT secret, issuer, audience and Redis key prefix, so one token works on both.
// Target: the service makes at least 0.6 of the baseline's requests/s (median of the rounds).
// Usage: npm run build && node bench/cases/authenticated-read.mjs [seconds=8] [connections=50] [rounds=2]
import {
  alternate,
  clearPrefix,
  expectSameAnswer,
  runWhenMain,
  startBaseline,
} from '../lib/baseline.mjs';
import { load, median } from '../lib/load.mjs';
import { deleteUser, registerUser, startService } from '../lib/service.mjs';

const NAME = 'authenticated-read';
const SERVICE_PORT = 3912;
const BASELINE_PORT = 3913;
const WARM_UP_SECONDS = 3;
const TARGET = 0.6;

export async function run({ seconds = 8, connections = 50, rounds = 2 } = {}) {
  const prefix = `tm-bench-auth-${process.pid}:`;
  // Both servers get these: the token the service issues must verify on the baseline.
  const env = {
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: 'authenticated-read-benchmark-secret-authenticated-read',
    JWT_ISSUER: 'tempmessenger-bench',
    JWT_AUDIENCE: 'tempmessenger-bench',
    // Longer than any bounded run, so the token never expires under load.
    ACCESS_TOKEN_TTL: '2h',
  };
  const service = await startService({ port: SERVICE_PORT, env });
  let baseline;
  let user;
  try {
    baseline = await startBaseline('plain-users-me.mjs', BASELINE_PORT, env);
    user = await registerUser(service.base, 'authenticated-read');
    const headers = { authorization: `Bearer ${user.accessToken}` };
    const urls = { service: `${service.base}/users/me`, baseline: `${baseline.base}/users/me` };
    await expectSameAnswer({ urls, headers });
    // Warm-up: JIT, connection pools, and the auth-state cache both of them read.
    for (const url of Object.values(urls)) {
      await load({ url, headers, connections, duration: WARM_UP_SECONDS });
    }
    const rows = await alternate({ urls, headers, connections, seconds, rounds });
    const ratio = median(rows.map((row) => row.ratio));
    return {
      case: NAME,
      target: `service req/s ≥ ${TARGET} × baseline (plain node:http doing the same work by hand)`,
      rows,
      ratio,
      met: ratio >= TARGET && rows.every((row) => row.service.failures === 0),
      rssMb: await service.rssMb(),
    };
  } finally {
    await baseline?.stop();
    if (user) await deleteUser(service.base, user);
    await service.stop();
    await clearPrefix(prefix);
  }
}

await runWhenMain(import.meta.url, run);
