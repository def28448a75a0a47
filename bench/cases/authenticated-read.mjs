// Case 2, authenticated read: the service's GET /users/me with a valid access token (HS256 check,
// revocation check — one Redis MGET while the auth-state cache is warm, which also brings the
// account the answer shows) against plain node:http servers doing the work by hand
// (bench/baselines/plain-users-me.mjs), with the same JWT secret, issuer, audience and Redis key
// prefix, so one token works on both. Two baselines, each alternated with the service:
//   - "record": the check, then the account read from PostgreSQL, as the service used to answer;
//     issue 19's target is set against it;
//   - "same work": the check alone, answering from the account it read, as the service does now.
// Target: the service makes at least 0.6 of the record baseline's requests/s (median of the
// rounds); the same-work ratio is printed beside it.
// Usage: npm run build && node bench/cases/authenticated-read.mjs [seconds=8] [connections=50] [rounds=2]
import {
  alternate,
  clearPrefix,
  COMPARISON_HEADER,
  comparisonCells,
  expectSameAnswer,
  printComparison,
  runWhenMain,
  startBaseline,
} from '../lib/baseline.mjs';
import { load, median } from '../lib/load.mjs';
import { deleteUser, registerUser, startService } from '../lib/service.mjs';

const NAME = 'authenticated-read';
const SERVICE_PORT = 3912;
const BASELINE_PORT = 3913;
const RECORD_BASELINE_PORT = 3914;
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
  let recordBaseline;
  let user;
  try {
    baseline = await startBaseline('plain-users-me.mjs', BASELINE_PORT, env);
    recordBaseline = await startBaseline('plain-users-me.mjs', RECORD_BASELINE_PORT, {
      ...env,
      BASELINE_ACCOUNT_FROM: 'record',
    });
    user = await registerUser(service.base, 'authenticated-read');
    const headers = { authorization: `Bearer ${user.accessToken}` };
    const serviceUrl = `${service.base}/users/me`;
    const urls = { service: serviceUrl, baseline: `${recordBaseline.base}/users/me` };
    const sameWorkUrls = { service: serviceUrl, baseline: `${baseline.base}/users/me` };
    await expectSameAnswer({ urls, headers });
    await expectSameAnswer({ urls: sameWorkUrls, headers });
    // Warm-up: JIT, connection pools, and the auth-state cache all of them read.
    for (const url of [serviceUrl, urls.baseline, sameWorkUrls.baseline]) {
      await load({ url, headers, connections, duration: WARM_UP_SECONDS });
    }
    const rows = await alternate({ urls, headers, connections, seconds, rounds });
    const sameWorkRows = await alternate({
      urls: sameWorkUrls,
      headers,
      connections,
      seconds,
      rounds,
    });
    const ratio = median(rows.map((row) => row.ratio));
    const sameWorkRatio = median(sameWorkRows.map((row) => row.ratio));
    return {
      case: NAME,
      target: `service req/s ≥ ${TARGET} × baseline (plain node:http: the check, then the account from PostgreSQL)`,
      rows,
      ratio,
      sameWorkRows,
      sameWorkRatio,
      met: ratio >= TARGET && [...rows, ...sameWorkRows].every((row) => row.service.failures === 0),
      rssMb: await service.rssMb(),
    };
  } finally {
    await baseline?.stop();
    await recordBaseline?.stop();
    if (user) await deleteUser(service.base, user);
    await service.stop();
    await clearPrefix(prefix);
  }
}

/** The comparison with the record baseline, then the one with the same-work baseline. */
function print(result) {
  printComparison(result);
  console.log(`against the same-work baseline (the check alone, account from its read):`);
  console.log(`round | ${COMPARISON_HEADER}`);
  for (const row of result.sameWorkRows) {
    console.log([row.round, ...comparisonCells(row)].join(' | '));
  }
  console.log(`same-work ratio (median): ${result.sameWorkRatio.toFixed(2)}`);
}

await runWhenMain(import.meta.url, run, print);
