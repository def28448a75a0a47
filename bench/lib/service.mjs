// Starts the built service (dist/) as a child process on a loopback port, against its own
// benchmark database and Redis db, and stops it by its PID.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile, readdir, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tempmessenger_bench';
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14';

/**
 * Preloaded (`node --require`) into a traced service, it gives the service a no-op span exporter
 * (discard-span-exports.cjs): what the cases mean by "traces on" without a collector.
 */
export const DISCARD_SPAN_EXPORTS = fileURLToPath(
  new URL('./discard-span-exports.cjs', import.meta.url),
);

/** `npm start`'s arguments to node (its heap cap included), so the bench runs what users run. */
function startArgs(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    .scripts.start.split(/\s+/)
    .slice(1);
}

/**
 * A service's settings for a Redis Cluster: its nodes, and a `REDIS_URL` that names one of them, as
 * a cluster has only db 0 (the benchmark Redis URL, db 14, must not come along).
 */
export function clusterEnv(cluster) {
  return { REDIS_CLUSTER_NODES: cluster.nodes.join(','), REDIS_URL: `redis://${cluster.nodes[0]}` };
}

/**
 * `dir` is the checkout whose build (`dir/dist`) runs, by default this one; `node` the binary
 * that runs it (`npm start` runs on the checkout's pinned one); `nodeArgs` go before `npm start`'s
 * own (V8 flags that NODE_OPTIONS does not take). The service's log folder (`logDir`) is removed
 * when it stops, unless `keepLogs` (a caller that keeps a failed run's log).
 */
export async function startService({
  port,
  env = {},
  dir = '.',
  node = process.execPath,
  nodeArgs = [],
  keepLogs = false,
}) {
  const logDir = mkdtempSync(join(tmpdir(), 'tempmessenger-bench-logs-'));
  const child = spawn(node, [...nodeArgs, ...startArgs(dir)], {
    cwd: dir,
    env: {
      ...withoutTracingVariables(process.env),
      // Traces off (over a `.env` too) unless a case turns them on with its own OTEL_* settings.
      OTEL_TRACES_EXPORTER: 'none',
      NODE_ENV: 'production',
      PORT: String(port),
      // Cases run two services at once: each scrape listener on a port of its own.
      METRICS_PORT: '0',
      DATABASE_URL: BENCH_DATABASE_URL,
      REDIS_URL: BENCH_REDIS_URL,
      REDIS_KEY_PREFIX: 'tm-bench:',
      JWT_SECRET: 'benchmark-secret-benchmark-secret-benchmark',
      MFA_ENCRYPTION_KEY: 'benchmark-mfa-key-benchmark-mfa-key-benchmark',
      LOG_DIR: logDir,
      LOG_STDOUT: 'false',
      AUTH_IP_LIMIT: '1000000',
      LOGIN_MAX_FAILURES: '1000000',
      MESSAGE_POST_LIMIT: '1000000',
      // Every load client reads from 127.0.0.1; off, the cases measure what they measured before it.
      PUBLIC_READ_LIMIT: '0',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    try {
      // Another run on this machine may have taken the port after freePorts saw it free: then
      // its service answers while this one fails to listen.
      if ((await fetch(`${base}/health`)).ok && (await listensOn(child.pid, port))) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error('service did not become healthy within 30 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    base,
    pid: child.pid,
    logDir,
    /** Resident memory of the service process, in MB, read from /proc. */
    rssMb: () => processRssMb(child.pid),
    /** CPU time (user + system) the service process has used so far, in seconds. */
    cpuSeconds: () => processCpuSeconds(child.pid),
    async stop() {
      // A child ended by a signal has no exit code, only a signal code.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      if (!keepLogs) rmSync(logDir, { recursive: true, force: true });
    },
  };
}

/** Whether process `pid` holds the listening TCP socket of `port` (read from /proc: Linux). */
async function listensOn(pid, port) {
  const portHex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      // local_address (hex ip:port), rem_address, st (0A: LISTEN), …, inode (the tenth field).
      const [, local, , state, , , , , , inode] = line.trim().split(/\s+/);
      if (local?.endsWith(portHex) && state === '0A') inodes.add(inode);
    }
  }
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    if (inodes.has(/^socket:\[(\d+)\]$/.exec(link)?.[1])) return true;
  }
  return false;
}

/** Resident memory of a process of this machine, in MB, read from /proc. */
export async function processRssMb(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/** CPU time (user + system) a process of this machine has used so far, in seconds. */
export async function processCpuSeconds(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime (fields 14 and 15 of stat) in clock ticks, 100 a second on Linux.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The runner's own OTEL_* variables would trace a case that did not ask for it. */
function withoutTracingVariables(env) {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('OTEL_')));
}

export async function registerUser(base, label = 'bench') {
  const email = `${label}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const response = await fetch(`${base}/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      firstName: 'Bench',
      lastName: 'User',
      email,
      password: 'bench-password',
    }),
  });
  if (response.status !== 201)
    throw new Error(`register failed: ${response.status} ${await response.text()}`);
  return { email, password: 'bench-password', ...(await response.json()) };
}

/** Leaves no benchmark account behind (its sessions go with it); `user` is what `registerUser` returned. */
export async function deleteUser(base, user) {
  const response = await fetch(`${base}/users/me`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ password: user.password }),
  }).catch((error) => ({ status: error.message }));
  if (response.status !== 204)
    console.warn(`could not delete the benchmark user: ${response.status}`);
}
