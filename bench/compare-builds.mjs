// Before/after of a change that touches everything (a runtime or dependency upgrade): the same
// four requests against two builds of the service, side by side in one run, alternating.
//   authenticated read  GET /users/me
//   login               POST /auth/login (bcrypt cost 12)
//   list                GET /messages?limit=100 with 100 live messages
//   post                POST /messages
// Each build runs from its own checkout on the Node that checkout pins (node_modules/.bin/node;
// for one that pins none, OTHER_NODE names the binary, else this Node runs it), against its own
// database and Redis key prefix.
// Usage: npm run build && node bench/compare-builds.mjs <other-checkout, built> [seconds=8] [rounds=2]
//   e.g. git worktree add /tmp/before <rev> && (cd /tmp/before && npm ci && npm run build)
// OTHER_ENV='{"REDIS_URL":"…?protocol=2"}' gives the other build settings of its own (with `.` as
// the other checkout, two settings of one build are compared).
// Besides requests/s, each run reports the service's CPU time per request: load from other work
// on a shared machine moves it much less than it moves requests/s.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { clearPrefix } from './lib/baseline.mjs';
import { load, median } from './lib/load.mjs';
import { freePorts } from './lib/ports.mjs';
import { registerUser, startService } from './lib/service.mjs';

const [otherDir, secondsArg, roundsArg] = process.argv.slice(2);
if (!otherDir) {
  console.error('usage: node bench/compare-builds.mjs <other-checkout> [seconds=8] [rounds=2]');
  process.exit(2);
}
const seconds = Number(secondsArg ?? 8);
const rounds = Number(roundsArg ?? 2);
const WARM_UP_SECONDS = 3;

function pinnedNode(dir, fallback = process.execPath) {
  const pinned = join(dir, 'node_modules', '.bin', 'node');
  return existsSync(pinned) ? pinned : fallback;
}

async function nodeVersion(node) {
  const { execFileSync } = await import('node:child_process');
  return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
}

const builds = [
  {
    name: 'other',
    dir: resolve(otherDir),
    env: JSON.parse(process.env.OTHER_ENV ?? '{}'),
    fallbackNode: process.env.OTHER_NODE,
  },
  { name: 'this', dir: resolve('.'), env: {} },
];
const ports = await freePorts(2);
const started = [];
try {
  for (const [index, build] of builds.entries()) {
    const prefix = `tm-bench-compare-${build.name}-${process.pid}:`;
    await clearPrefix(prefix);
    build.node = pinnedNode(build.dir, build.fallbackNode);
    build.nodeVersion = await nodeVersion(build.node);
    build.prefix = prefix;
    build.service = await startService({
      port: ports[index],
      dir: build.dir,
      node: build.node,
      env: {
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/tempmessenger_bench_${build.name}`,
        REDIS_KEY_PREFIX: prefix,
        ACCESS_TOKEN_TTL: '2h',
        ...build.env,
      },
    });
    started.push(build);
    build.user = await registerUser(build.service.base, `compare-${build.name}`);
    for (let i = 0; i < 100; i++) {
      await post(build, { message: `live message ${i}`, ttlSeconds: 3600 });
    }
  }

  const cases = [
    {
      name: 'authenticated read',
      connections: 50,
      request: (build) => ({
        url: `${build.service.base}/users/me`,
        headers: { authorization: `Bearer ${build.user.accessToken}` },
      }),
    },
    {
      name: 'login',
      // bcrypt bounds it: more connections only queue on libuv's four threads.
      connections: 8,
      request: (build) => ({
        url: `${build.service.base}/auth/login`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: build.user.email, password: build.user.password }),
      }),
    },
    {
      name: 'list',
      connections: 50,
      request: (build) => ({ url: `${build.service.base}/messages?limit=100` }),
    },
    {
      name: 'post',
      connections: 50,
      request: (build) => ({
        url: `${build.service.base}/messages`,
        method: 'POST',
        headers: {
          authorization: `Bearer ${build.user.accessToken}`,
          'content-type': 'application/json',
        },
        // Short-lived, so the posts of one round do not lengthen the list of the next.
        body: JSON.stringify({ message: 'benchmark post', ttlSeconds: 5 }),
      }),
    },
  ];

  const results = [];
  for (const benchCase of cases) {
    for (const build of builds) {
      await load({
        ...benchCase.request(build),
        connections: benchCase.connections,
        duration: WARM_UP_SECONDS,
      });
    }
    const rows = [];
    for (let round = 1; round <= rounds; round++) {
      const figures = {};
      for (const build of round % 2 ? builds : [...builds].reverse()) {
        const cpuBefore = await build.service.cpuSeconds();
        const figure = await load({
          ...benchCase.request(build),
          connections: benchCase.connections,
          duration: seconds,
        });
        const cpuSeconds = (await build.service.cpuSeconds()) - cpuBefore;
        figures[build.name] = { ...figure, cpuUs: (cpuSeconds * 1e6) / figure.requests };
      }
      rows.push({
        round,
        ...figures,
        ratio: figures.this.rps / figures.other.rps,
        cpuRatio: figures.this.cpuUs / figures.other.cpuUs,
      });
    }
    const rssMb = {};
    for (const build of builds) rssMb[build.name] = await build.service.rssMb();
    results.push({
      case: benchCase.name,
      rows,
      ratio: median(rows.map((row) => row.ratio)),
      cpuRatio: median(rows.map((row) => row.cpuRatio)),
      rssMb,
    });
  }

  console.log(
    `\n${new Date().toISOString()} — ${seconds} s per run, ${rounds} rounds\n` +
      `other: ${builds[0].dir} (Node ${builds[0].nodeVersion}) ${JSON.stringify(builds[0].env)}; ` +
      `this: ${builds[1].dir} (Node ${builds[1].nodeVersion})\n`,
  );
  console.log(
    '| case | round | other req/s | p50 | p99 | CPU µs/req | this req/s | p50 | p99 | CPU µs/req | ' +
      'this/other | CPU/req this/other |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const result of results) {
    for (const { round, other, this: current, ratio, cpuRatio } of result.rows) {
      console.log(
        `| ${result.case} | ${round} | ${other.rps.toFixed(1)} | ${other.p50} | ${other.p99} | ` +
          `${other.cpuUs.toFixed(0)} | ${current.rps.toFixed(1)} | ${current.p50} | ${current.p99} | ` +
          `${current.cpuUs.toFixed(0)} | ${ratio.toFixed(3)} | ${cpuRatio.toFixed(3)} |`,
      );
    }
  }
  console.log('');
  for (const result of results) {
    const failures = result.rows.reduce(
      (sum, row) => sum + row.other.failures + row.this.failures,
      0,
    );
    console.log(
      `${result.case}: median this/other ${result.ratio.toFixed(3)}, ` +
        `CPU per request ${result.cpuRatio.toFixed(3)}, failures ${failures}, ` +
        `RSS after: other ${result.rssMb.other.toFixed(0)} MB, this ${result.rssMb.this.toFixed(0)} MB`,
    );
  }
} finally {
  for (const build of started) {
    await build.service.stop();
    await clearPrefix(build.prefix);
  }
}

async function post(build, body) {
  const response = await fetch(`${build.service.base}/messages`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${build.user.accessToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`post failed: ${response.status}`);
}
