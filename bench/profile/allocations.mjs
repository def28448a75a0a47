// What case 2's read allocates: bytes per request by package and by function, from V8's sampling
// heap profiler (bench/lib/allocation-sampler.cjs), which here keeps the samples of objects the
// garbage collector has already freed, so short-lived garbage counts too. The sampler slows the
// service down; the figures are bytes per request, not time.
// Usage: npm exec -- node bench/profile/allocations.mjs [seconds=6] [connections=20]
// With PROFILE_TRACED=1 every request is traced to a no-op exporter (as case 9 does), and
// OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, when set, reach the service. With
// ALLOCATIONS_PROMOTED_ONLY=1 only what outlived the young generation is counted (the objects a
// full collection freed, or still alive at the end).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../lib/load.mjs';
import { startProfiledService, usersMeRequest } from './profiled-service.mjs';

const ALLOCATION_SAMPLER = fileURLToPath(new URL('../lib/allocation-sampler.cjs', import.meta.url));
const WARM_UP_SECONDS = 3;
const SHOWN = 30;

const [seconds = 6, connections = 20] = process.argv.slice(2).map(Number);
const traced = process.env.PROFILE_TRACED === '1';
const dir = mkdtempSync(join(tmpdir(), 'tempmessenger-allocations-'));
const profileFile = join(dir, 'read.heapprofile');
const service = await startProfiledService({
  traced,
  preloads: [ALLOCATION_SAMPLER],
  env: {
    ALLOCATION_PROFILE_FILE: profileFile,
    ALLOCATIONS_PROMOTED_ONLY: process.env.ALLOCATIONS_PROMOTED_ONLY ?? '',
  },
});
let result;
let profile;
try {
  const request = { ...(await usersMeRequest(service.base)), connections };
  await load({ ...request, duration: WARM_UP_SECONDS });
  process.kill(service.pid, 'SIGWINCH');
  result = await load({ ...request, duration: seconds });
  process.kill(service.pid, 'SIGWINCH');
  if (result.failures > 0) {
    throw new Error(`${result.failures} of ${result.requests} requests failed`);
  }
  profile = await readWhenWritten(profileFile);
} finally {
  await service.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** Bytes sampled under each package (or `service` for dist/, `node:…` for Node's own code). */
const byPackage = new Map();
const byFunction = new Map();
let total = 0;
(function walk(node) {
  const { url, functionName } = node.callFrame;
  const owner =
    /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
    (url.includes('/dist/') ? 'service' : url || '(V8 built-ins)');
  add(byPackage, owner, node.selfSize);
  add(byFunction, `${functionName || '(anonymous)'} · ${owner}`, node.selfSize);
  total += node.selfSize;
  node.children.forEach(walk);
})(profile.head);

console.log(
  `GET /users/me${traced ? ' (traced)' : ''}: ${result.requests} requests, ${Math.round(result.rps)} req/s under the sampler; ` +
    `${Math.round(total / result.requests)} bytes ${process.env.ALLOCATIONS_PROMOTED_ONLY === '1' ? 'outlived the young generation' : 'allocated'} per request`,
);
print('by package', byPackage);
print('by function', byFunction);

function add(map, key, bytes) {
  map.set(key, (map.get(key) ?? 0) + bytes);
}

function print(title, map) {
  console.log(`\n${title} (bytes per request):`);
  for (const [key, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, SHOWN)) {
    console.log(`${String(Math.round(bytes / result.requests)).padStart(7)}  ${key}`);
  }
}

/** The sampler writes the profile beside `file` and renames it: once there, it is whole. */
async function readWhenWritten(file) {
  for (let waited = 0; waited < 60_000; waited += 100) {
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the service wrote no allocation profile to ${file} within 60 s`);
}
