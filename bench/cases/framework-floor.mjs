// Case 1, framework floor: the service's GET /health (PostgreSQL `SELECT 1` and Redis PING behind
// Nest, Express, helmet, pino-http and terminus) against a plain node:http server doing the same
// two checks (bench/baselines/plain-health.mjs). No target: the ratio is what the stack costs.
// Usage: npm run build && node bench/cases/framework-floor.mjs [seconds=8] [connections=50] [rounds=2]
import { alternate, expectSameAnswer, runWhenMain, startBaseline } from '../lib/baseline.mjs';
import { load, median } from '../lib/load.mjs';
import { startService } from '../lib/service.mjs';

const NAME = 'framework-floor';
const SERVICE_PORT = 3910;
const BASELINE_PORT = 3911;
const WARM_UP_SECONDS = 3;

export async function run({ seconds = 8, connections = 50, rounds = 2 } = {}) {
  const env = { REDIS_KEY_PREFIX: 'tm-bench-floor:' };
  const service = await startService({ port: SERVICE_PORT, env });
  let baseline;
  try {
    baseline = await startBaseline('plain-health.mjs', BASELINE_PORT, env);
    const urls = { service: `${service.base}/health`, baseline: `${baseline.base}/health` };
    await expectSameAnswer({ urls });
    for (const url of Object.values(urls)) {
      await load({ url, connections, duration: WARM_UP_SECONDS });
    }
    const rows = await alternate({ urls, connections, seconds, rounds });
    return {
      case: NAME,
      target: 'none: service req/s over plain node:http req/s, reported',
      rows,
      ratio: median(rows.map((row) => row.ratio)),
      met: null,
      rssMb: await service.rssMb(),
    };
  } finally {
    await baseline?.stop();
    await service.stop();
  }
}

await runWhenMain(import.meta.url, run);
