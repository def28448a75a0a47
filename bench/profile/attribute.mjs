// Where a CPU profile's busy time goes: self time grouped by layer (the framework, JWT, the Redis
// and PostgreSQL clients, logging, metrics, the application's own code, GC, socket writes), then
// the heaviest functions of the application, and which package frames call the socket writes.
// Usage: node bench/profile/attribute.mjs <file.cpuprofile>   (or import { attribute })
import { readFileSync } from 'node:fs';

const packages = (...names) => new RegExp(`node_modules/(${names.join('|')})/`);
/** Layers, first match wins; a frame is matched on its function name (native) or its file. */
const LAYERS = [
  ['garbage collection', ({ functionName }) => functionName === '(garbage collector)'],
  [
    'socket writes (writev, write*String)',
    ({ functionName }) =>
      /^(writev|writeBuffer|write(Utf8|Latin1|Ascii|Ucs2)?String)$/.test(functionName),
  ],
  [
    'Nest, Fastify, rxjs, validation',
    ({ url }) =>
      packages(
        '@nestjs',
        'fastify',
        '@fastify',
        'rxjs',
        'reflect-metadata',
        'find-my-way',
        'avvio',
        'helmet',
        'class-transformer',
        'class-validator',
        'fast-json-stringify',
        'fast-querystring',
        'light-my-request',
      ).test(url),
  ],
  [
    'JWT and passport',
    ({ url }) =>
      packages('jsonwebtoken', 'jws', 'jwa', 'passport', 'passport-jwt', 'passport-strategy').test(
        url,
      ) || url.startsWith('node:internal/crypto'),
  ],
  [
    'Redis client',
    ({ url }) => packages('ioredis', 'redis-parser', 'denque', 'cluster-key-slot').test(url),
  ],
  [
    'PostgreSQL client (pg, TypeORM)',
    ({ url }) =>
      packages('pg', 'pg-protocol', 'pg-pool', 'pg-types', 'postgres-[a-z]+', 'typeorm').test(url),
  ],
  [
    'logging',
    ({ url }) =>
      packages(
        'pino',
        'pino-[a-z-]+',
        'thread-stream',
        'nestjs-pino',
        'sonic-boom',
        'fast-redact',
        'date-fns',
      ).test(url),
  ],
  ['metrics', ({ url }) => packages('prom-client', 'tdigest', 'bintrees').test(url)],
  ['tracing', ({ url }) => packages('@opentelemetry').test(url)],
  ['the application (dist/)', ({ url }) => url.includes('/dist/') && !url.includes('node_modules')],
  ['Node core (http, net, streams, events)', ({ url }) => url.startsWith('node:')],
];
const OTHER = 'other (native, microtasks)';

export function attribute(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfTime = new Map();
  profile.samples.forEach((id, i) =>
    selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );

  const layers = new Map();
  const appFunctions = new Map();
  const writers = new Map();
  let busy = 0;
  for (const [id, time] of selfTime) {
    const frame = byId.get(id).callFrame;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
    busy += time;
    const layer = LAYERS.find(([, matches]) => matches(frame))?.[0] ?? OTHER;
    layers.set(layer, (layers.get(layer) ?? 0) + time);
    if (layer === 'the application (dist/)') {
      const name = `${frame.functionName || '(anonymous)'} (${frame.url.split('/dist/').pop()})`;
      appFunctions.set(name, (appFunctions.get(name) ?? 0) + time);
    }
    if (layer.startsWith('socket writes')) {
      const caller = nearestPackageFrame(id, byId, parentOf);
      writers.set(caller, (writers.get(caller) ?? 0) + time);
    }
  }
  const share = (entries) =>
    [...entries].sort((a, b) => b[1] - a[1]).map(([name, time]) => ({ name, share: time / busy }));
  return {
    busyMs: busy / 1000,
    layers: share(layers),
    appFunctions: share(appFunctions).slice(0, 8),
    socketWriters: share(writers).slice(0, 5),
  };
}

/** The first caller of a native frame that lives in a package or the application. */
function nearestPackageFrame(id, byId, parentOf) {
  for (let parent = parentOf.get(id); parent !== undefined; parent = parentOf.get(parent)) {
    const { url, functionName } = byId.get(parent).callFrame;
    const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (inPackage) return `${inPackage[1]} ${functionName}`;
    if (url.includes('/dist/')) return `the application's ${functionName}`;
  }
  return '(no package frame)';
}

export function printAttribution({ busyMs, layers, appFunctions, socketWriters }) {
  const percent = (share) => `${(share * 100).toFixed(0)} %`;
  console.log(`busy CPU in the profile: ${(busyMs / 1000).toFixed(1)} s`);
  console.log('| layer | share of busy CPU |\n|---|---|');
  for (const { name, share } of layers) console.log(`| ${name} | ${percent(share)} |`);
  console.log('\nheaviest application functions (self):');
  for (const { name, share } of appFunctions) console.log(`  ${percent(share)} ${name}`);
  console.log('\nsocket writes, by caller:');
  for (const { name, share } of socketWriters) console.log(`  ${percent(share)} ${name}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printAttribution(attribute(JSON.parse(readFileSync(process.argv[2], 'utf8'))));
}
