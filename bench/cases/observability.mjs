// Case 9, the cost of observability: the same requests against four instances of this build,
// side by side in one run, alternating: metrics off (`METRICS_ENABLED=false`), metrics on (the
// default), and metrics on with every request traced (`OTEL_TRACES_EXPORTER=otlp`), once with a
// no-op exporter (spans made, sampled and batched, then dropped: bench/lib/discard-span-exports.cjs)
// and once exporting to a sink on loopback that accepts and drops every export (the whole path a
// deployment pays: serialising and sending too). Requests: case 2's `GET /users/me` (the warm auth
// cache: one Redis MGET, which also brings the account it answers), and case 4's login storm
// (`POST /auth/login`, bcrypt cost 12). Each round starts with another instance.
// Targets: metrics cost at most 5 % of requests/s; traces (no-op exporter) at most 15 % more.
// The exporting instance is reported beside them, without a target.
// Usage: npm run build && node bench/cases/observability.mjs [seconds=2] [connections=50] [rounds=12]
import { createServer } from 'node:http';
import { once } from 'node:events';
import { clearPrefix, runWhenMain } from '../lib/baseline.mjs';
import { load, median } from '../lib/load.mjs';
import { freePorts } from '../lib/ports.mjs';
import { DISCARD_SPAN_EXPORTS, registerUser, startService } from '../lib/service.mjs';

const METRICS_TARGET = 0.95;
const TRACES_TARGET = 0.85;
const WARM_UP_SECONDS = 3;
const LOGIN_CONNECTIONS = 16;
const LOGIN_SECONDS = 6;
const LOGIN_ROUNDS = 4;

export async function run({ seconds = 2, connections = 50, rounds = 12 } = {}) {
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
    // Reads in many short slices, alternating: this machine's speed drifts by half within a
    // minute, and short slices put each instance under the same drift. Logins (bounded by bcrypt,
    // which moves with neither setting) in a few long ones.
    const readRows = [];
    for (let round = 1; round <= rounds; round++) {
      const reads = {};
      for (const name of rotated(names, round)) {
        reads[name] = await withCpu(services[name], () => read(name, seconds));
      }
      readRows.push({
        round,
        reads: rps(reads),
        metricsRatio: reads.metricsOn.rps / reads.metricsOff.rps,
        tracesRatio: reads.tracesOn.rps / reads.metricsOn.rps,
        exportedRatio: reads.tracesExported.rps / reads.metricsOn.rps,
        // The service's CPU time per read, the cost itself; requests/s also moves with the load.
        cpuMetricsRatio: reads.metricsOn.cpuUs / reads.metricsOff.cpuUs,
        cpuTracesRatio: reads.tracesOn.cpuUs / reads.metricsOn.cpuUs,
        cpuExportedRatio: reads.tracesExported.cpuUs / reads.metricsOn.cpuUs,
        failures: sumOf(reads, 'failures'),
      });
    }
    const loginRows = [];
    for (let round = 1; round <= LOGIN_ROUNDS; round++) {
      const logins = {};
      for (const name of rotated(names, round)) {
        logins[name] = await login(name, LOGIN_SECONDS);
        await drain(name);
      }
      loginRows.push({
        round,
        logins: rps(logins),
        metricsRatio: logins.metricsOn.rps / logins.metricsOff.rps,
        tracesRatio: logins.tracesOn.rps / logins.metricsOn.rps,
        exportedRatio: logins.tracesExported.rps / logins.metricsOn.rps,
        failures: sumOf(logins, 'failures'),
      });
    }
    const medianOf = (rows, key) => median(rows.map((row) => row[key]));
    const result = {
      case: 'observability',
      target: `metrics on ≥ ${METRICS_TARGET} × off; traces on (no-op exporter) ≥ ${TRACES_TARGET} × metrics on`,
      settings: {
        seconds,
        connections,
        rounds,
        loginSeconds: LOGIN_SECONDS,
        loginRounds: LOGIN_ROUNDS,
        loginConnections: LOGIN_CONNECTIONS,
        bcryptCost: 12,
      },
      readRows,
      loginRows,
      readMetricsRatio: medianOf(readRows, 'metricsRatio'),
      readTracesRatio: medianOf(readRows, 'tracesRatio'),
      readExportedRatio: medianOf(readRows, 'exportedRatio'),
      readCpuMetricsRatio: medianOf(readRows, 'cpuMetricsRatio'),
      readCpuTracesRatio: medianOf(readRows, 'cpuTracesRatio'),
      readCpuExportedRatio: medianOf(readRows, 'cpuExportedRatio'),
      loginMetricsRatio: medianOf(loginRows, 'metricsRatio'),
      loginTracesRatio: medianOf(loginRows, 'tracesRatio'),
      loginExportedRatio: medianOf(loginRows, 'exportedRatio'),
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
      [...readRows, ...loginRows].every((row) => row.failures === 0);
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

/** Each round starts with another instance, so none always runs first after a pause. */
function rotated(names, round) {
  return names.map((_, i) => names[(i + round) % names.length]);
}

function sumOf(figuresByName, key) {
  return Object.values(figuresByName).reduce((sum, figures) => sum + figures[key], 0);
}

/** A load run's figures, with the CPU time (µs) the service spent per request during it. */
async function withCpu(service, run) {
  const cpuBefore = await service.cpuSeconds();
  const figures = await run();
  const cpuSeconds = (await service.cpuSeconds()) - cpuBefore;
  return { ...figures, cpuUs: (cpuSeconds * 1e6) / figures.requests };
}

function rps(byName) {
  return Object.fromEntries(
    Object.entries(byName).map(([name, figures]) => [
      name,
      {
        rps: Math.round(figures.rps),
        p99: figures.p99,
        ...(figures.cpuUs === undefined ? {} : { cpuUs: Math.round(figures.cpuUs) }),
      },
    ]),
  );
}

runWhenMain(import.meta.url, run, (result) => {
  console.log(JSON.stringify({ reads: result.readRows, logins: result.loginRows }, null, 2));
  for (const key of [
    'readMetricsRatio',
    'readTracesRatio',
    'readExportedRatio',
    'readCpuMetricsRatio',
    'readCpuTracesRatio',
    'readCpuExportedRatio',
    'loginMetricsRatio',
    'loginTracesRatio',
    'loginExportedRatio',
  ]) {
    console.log(`${key} (median): ${result[key].toFixed(3)}`);
  }
  console.log(`exports received by the sink: ${result.exportsReceived}; met: ${result.met}`);
});
