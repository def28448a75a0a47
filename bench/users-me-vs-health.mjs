// The cost of authentication: GET /users/me (JWT check, revocation check, user lookup) against
// GET /health (two pings), same service, same run, alternating, each case run twice.
// Usage: npm run build && node bench/users-me-vs-health.mjs [seconds per run] [connections]
import { load } from './lib/load.mjs';
import { registerUser, startService } from './lib/service.mjs';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 50);
const rounds = 2;

const service = await startService({ port: 3901 });
try {
  const user = await registerUser(service.base);
  const auth = { authorization: `Bearer ${user.accessToken}` };
  // Warm-up: JIT, connection pools, the auth-state cache.
  await load({ url: `${service.base}/users/me`, headers: auth, connections, duration: 3 });
  await load({ url: `${service.base}/health`, connections, duration: 3 });

  const rows = [];
  for (let round = 1; round <= rounds; round++) {
    const health = await load({ url: `${service.base}/health`, connections, duration: seconds });
    const me = await load({
      url: `${service.base}/users/me`,
      headers: auth,
      connections,
      duration: seconds,
    });
    rows.push({ round, health, me, ratio: me.rps / health.rps });
  }
  console.log(`\nGET /users/me vs GET /health — ${connections} connections, ${seconds} s per run`);
  console.log('round | /health req/s | p50 | p99 | /users/me req/s | p50 | p99 | ratio | failures');
  for (const { round, health, me, ratio } of rows) {
    console.log(
      [
        round,
        health.rps.toFixed(0),
        health.p50,
        health.p99,
        me.rps.toFixed(0),
        me.p50,
        me.p99,
        ratio.toFixed(2),
        health.failures + me.failures,
      ].join(' | '),
    );
  }
  console.log(`RSS after: ${(await service.rssMb()).toFixed(0)} MB`);
} finally {
  await service.stop();
}
