// Case 9, the cost of observability: the same requests against four instances of this build,
// side by side in one run, alternating: metrics off (`METRICS_ENABLED=false`), metrics on (the
// default), and metrics on with every request traced (`OTEL_TRACES_EXPORTER=otlp`), once with a
// no-op exporter (spans made, sampled and batched, then dropped: bench/lib/discard-span-exports.cjs)
// and once exporting to a sink on loopback that accepts and drops every export (the whole path a
// deployment pays: serialising and sending too). Requests: case 2's `GET /users/me` (the warm auth
// cache: one Redis MGET and a PostgreSQL read), and case 4's login storm (`POST /auth/login`,
// bcrypt cost 12). Each round starts with another instance.
// Targets: metrics cost at most 5 % of requests/s; traces (no-op exporter) at most 15 % more.
// The exporting instance is reported beside them, without a target.
// Usage: npm run build && node bench/cases/observability.mjs [seconds=8] [connections=50] [rounds=4]
import { createServer } from 'node:http';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { clearPrefix, runWhenMain } from '../lib/baseline.mjs';
import { load, median } from '../lib/load.mjs';
import { freePorts } from '../lib/ports.mjs';
import { registerUser, startService } from '../lib/service.mjs';

const DISCARD_SPAN_EXPORTS = fileURLToPath(
  new URL('../lib/discard-span-exports.cjs', import.meta.url),
);
const METRICS_TARGET = 0.95;
const TRACES_TARGET = 0.85;
const WARM_UP_SECONDS = 3;
const LOGIN_CONNECTIONS = 16;

export async function run({ seconds = 8, connections = 50, rounds = 4 } = {}) {
  const sink = await startTraceSink();
  const traced = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url };
  const variants = [
    { name: 'metricsOff', env: { METRICS_ENABLED: 'false' } },
    { name: 'metricsOn', env: {} },
    { name: 'tracesOn', env: { ...traced, NODE_OPTIONS: `--require ${DISCARD_SPAN_EXPORTS}` } },
    { name: 'tracesExported', env: traced },
  ];
  const ports = await freePorts(variants.length);
  const services = {};
  try {
    for (const [index, variant] of variants.entries()) {
      const prefix = `tm-bench-observability-${variant.name}-${process.pid}:`;
      await clearPrefix(prefix);
      services[variant.name] = await startService({
        port: ports[index],
        env: { ...variant.env, REDIS_KEY_PREFIX: prefix, ACCESS_TOKEN_TTL: '2h' },
      });
    }
    // One account in the shared database; the JWT secret is the same on all three.
    const user = await registerUser(services.metricsOff.base, 'observability');
    const read = (name, duration) =>
      load({
        url: `${services[name].base}/users/me`,
        headers: { authorization: `Bearer ${user.accessToken}` },
        connections,
        duration,
      });
    const login = (name, duration) =>
      load({
        url: `${services[name].base}/auth/login`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: user.email, password: user.password }),
        connections: LOGIN_CONNECTIONS,
        duration,
      });

    // autocannon drops its in-flight logins when a run ends, but the service still works through
    // them (bcrypt's queue): one more login, queued behind them, waits them out, so the next run
    // (on any instance: they share the cores) starts on a quiet machine.
    const drain = async (name) => {
      const response = await fetch(`${services[name].base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: user.email, password: user.password }),
      });
      if (response.status !== 200) throw new Error(`login failed: ${response.status}`);
    };

    const names = variants.map((variant) => variant.name);
    for (const name of names) {
      await read(name, WARM_UP_SECONDS);
      await login(name, WARM_UP_SECONDS);
      await drain(name);
    }
    const rows = [];
    for (let round = 1; round <= rounds; round++) {
      // Each round starts with another instance, so none always runs first after a pause.
      const order = names.map((_, i) => names[(i + round) % names.length]);
      const reads = {};
      const logins = {};
      for (const name of order) reads[name] = await read(name, seconds);
      for (const name of order) {
        logins[name] = await login(name, seconds);
        await drain(name);
      }
      rows.push({
        round,
        reads: rps(reads),
        logins: rps(logins),
        readMetricsRatio: reads.metricsOn.rps / reads.metricsOff.rps,
        readTracesRatio: reads.tracesOn.rps / reads.metricsOn.rps,
        readExportedRatio: reads.tracesExported.rps / reads.metricsOn.rps,
        loginMetricsRatio: logins.metricsOn.rps / logins.metricsOff.rps,
        loginTracesRatio: logins.tracesOn.rps / logins.metricsOn.rps,
        loginExportedRatio: logins.tracesExported.rps / logins.metricsOn.rps,
        failures: Object.values({ ...reads, ...logins }).reduce((sum, r) => sum + r.failures, 0),
      });
    }
    const medianOf = (key) => median(rows.map((row) => row[key]));
    const result = {
      case: 'observability',
      target: `metrics on ≥ ${METRICS_TARGET} × off; traces on (no-op exporter) ≥ ${TRACES_TARGET} × metrics on`,
      settings: { seconds, connections, loginConnections: LOGIN_CONNECTIONS, bcryptCost: 12 },
      rows,
      readMetricsRatio: medianOf('readMetricsRatio'),
      readTracesRatio: medianOf('readTracesRatio'),
      readExportedRatio: medianOf('readExportedRatio'),
      loginMetricsRatio: medianOf('loginMetricsRatio'),
      loginTracesRatio: medianOf('loginTracesRatio'),
      loginExportedRatio: medianOf('loginExportedRatio'),
      exportsReceived: sink.exports(),
      rssMb: await services.tracesOn.rssMb(),
    };
    result.ratio = Math.min(result.readMetricsRatio, result.loginMetricsRatio);
    result.met =
      result.readMetricsRatio >= METRICS_TARGET &&
      result.loginMetricsRatio >= METRICS_TARGET &&
      result.readTracesRatio >= TRACES_TARGET &&
      result.loginTracesRatio >= TRACES_TARGET &&
      result.exportsReceived > 0 &&
      rows.every((row) => row.failures === 0);
    return result;
  } finally {
    for (const service of Object.values(services)) await service.stop();
    sink.close();
  }
}

/** An OTLP/HTTP endpoint on loopback that answers every export with success and keeps nothing. */
async function startTraceSink() {
  let exports = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      exports += 1;
      // An empty ExportTraceServiceResponse: success, nothing rejected.
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    exports: () => exports,
    close: () => server.close(),
  };
}

function rps(byName) {
  return Object.fromEntries(
    Object.entries(byName).map(([name, figures]) => [
      name,
      { rps: Math.round(figures.rps), p99: figures.p99 },
    ]),
  );
}

runWhenMain(import.meta.url, run, (result) => {
  console.log(JSON.stringify(result.rows, null, 2));
  for (const key of [
    'readMetricsRatio',
    'readTracesRatio',
    'readExportedRatio',
    'loginMetricsRatio',
    'loginTracesRatio',
    'loginExportedRatio',
  ]) {
    console.log(`${key} (median): ${result[key].toFixed(3)}`);
  }
  console.log(`exports received by the sink: ${result.exportsReceived}; met: ${result.met}`);
});
