// Case 6, logging: GET /users/me with a valid token (case 2's request), file logging on
// (LOG_LEVEL=info, the default: one access line per request to LOG_DIR through pino-roll) against
// off (LOG_LEVEL=silent), two instances of the service side by side, runs alternating.
// Usage: npm run build && node bench/cases/logging.mjs [seconds=8] [connections=50] [rounds=2]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { load, median } from '../lib/load.mjs';
import { freePorts } from '../lib/ports.mjs';
import { registerUser, startService } from '../lib/service.mjs';
import { runWhenMain } from '../lib/baseline.mjs';

const TARGET_RATIO = 0.9;

export async function run({ seconds = 8, connections = 50, rounds = 2 } = {}) {
  const [onPort, offPort] = await freePorts(2);
  const services = {};
  try {
    services.on = await startService({ port: onPort, env: { LOG_LEVEL: 'info' } });
    services.off = await startService({ port: offPort, env: { LOG_LEVEL: 'silent' } });
    const targets = {};
    for (const mode of ['on', 'off']) {
      const { accessToken } = await registerUser(services[mode].base, `logging-${mode}`);
      targets[mode] = {
        url: `${services[mode].base}/users/me`,
        headers: { authorization: `Bearer ${accessToken}` },
        connections,
      };
      // Warm-up: JIT, pools, the auth-state cache.
      await load({ ...targets[mode], duration: 3 });
    }

    const rows = [];
    for (let round = 1; round <= rounds; round++) {
      // Alternate which goes first, so drift on a shared machine does not favour one side.
      const order = round % 2 ? ['on', 'off'] : ['off', 'on'];
      const result = {};
      for (const mode of order) result[mode] = await load({ ...targets[mode], duration: seconds });
      rows.push({ round, on: result.on, off: result.off, ratio: result.on.rps / result.off.rps });
    }
    const ratio = median(rows.map((row) => row.ratio));
    const rss = { on: await services.on.rssMb(), off: await services.off.rssMb() };
    return {
      case: 'logging',
      target: `on/off ≥ ${TARGET_RATIO}`,
      settings: { seconds, connections, logStdout: false },
      rows,
      ratio,
      met: ratio >= TARGET_RATIO,
      // What each instance wrote to its LOG_DIR: proof that "on" logged and "off" did not.
      logBytes: { on: dirBytes(services.on.logDir), off: dirBytes(services.off.logDir) },
      rssMb: Math.max(rss.on, rss.off),
      rssMbByInstance: rss,
    };
  } finally {
    for (const service of Object.values(services)) {
      await service.stop();
    }
  }
}

function dirBytes(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((total, entry) => total + statSync(join(dir, entry.name)).size, 0);
}

export function print(result) {
  const { settings } = result;
  console.log(
    `\nGET /users/me, file logging on (LOG_LEVEL=info) vs off (LOG_LEVEL=silent) — ` +
      `${settings.connections} connections, ${settings.seconds} s per run, stdout logging off`,
  );
  console.log('round | on req/s | p50 | p99 | off req/s | p50 | p99 | on/off | failures');
  for (const { round, on, off, ratio } of result.rows) {
    console.log(
      [
        round,
        on.rps.toFixed(0),
        on.p50,
        on.p99,
        off.rps.toFixed(0),
        off.p50,
        off.p99,
        ratio.toFixed(2),
        on.failures + off.failures,
      ].join(' | '),
    );
  }
  const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
  console.log(
    `on/off (median): ${result.ratio.toFixed(2)} (target ${result.target}); met: ${result.met}; ` +
      `log written: on ${mb(result.logBytes.on)} MB, off ${mb(result.logBytes.off)} MB; ` +
      `RSS after: on ${result.rssMbByInstance.on.toFixed(0)} MB, ` +
      `off ${result.rssMbByInstance.off.toFixed(0)} MB`,
  );
}

await runWhenMain(import.meta.url, run, print);
