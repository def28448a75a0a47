import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type AppConfig, loadConfig } from '../../../src/common/config';
import { sleep } from './polling';
import { testEnvironment } from './test-environment';

/** The built service (`dist/`, as `npm run build` or `pretest` left it) in a process of its own. */
export interface ServiceProcess {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** The settings it runs with (its LOG_DIR among them). */
  readonly config: AppConfig;
}

const MAIN = join(__dirname, '..', '..', '..', 'dist', 'src', 'main.js');
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * The service for the tests of the enclosing `describe`, started as `node dist/src/main.js` with
 * the test settings and these overrides, in a `beforeAll`, and stopped by its PID in an
 * `afterAll`. For what only a whole process shows: what is loaded before Nest (the trace SDK's
 * patches of http, pg and ioredis do not take inside jest's module sandbox). The runner's own
 * OTEL_* variables are left out, and the working directory is empty (no `.env` read).
 */
export function useServiceProcess(settings: () => Record<string, string>): ServiceProcess {
  let running: { child: ChildProcess; service: ServiceProcess } | undefined;
  beforeAll(async () => {
    running = await startServiceProcess(settings());
  }, START_TIMEOUT_MS + 5000);
  afterAll(() => (running ? stopChild(running.child) : undefined), STOP_TIMEOUT_MS + 5000);

  const current = (): ServiceProcess => {
    if (!running) throw new Error('The service runs from its beforeAll to its afterAll only');
    return running.service;
  };
  return {
    get base() {
      return current().base;
    },
    get config() {
      return current().config;
    },
  };
}

async function startServiceProcess(overrides: Record<string, string>) {
  const port = await freePort();
  const environment = testEnvironment({ PORT: String(port), HOST: '127.0.0.1', ...overrides });
  const config = loadConfig(environment);
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')),
  );
  const child = spawn(process.execPath, [MAIN], {
    cwd: config.log.dir,
    env: { ...inherited, ...environment },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`The service exited with ${child.exitCode}: ${stderr.trim()}`);
    }
    if (await answers(`${base}/health`)) return { child, service: { base, config } };
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`The service did not answer within ${START_TIMEOUT_MS} ms: ${stderr.trim()}`);
    }
    await sleep(100);
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false; // not listening yet
  }
}

/** SIGTERM (a graceful shutdown), then SIGKILL if it has not ended in time. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  const killer = setTimeout(() => process.kill(child.pid!, 'SIGKILL'), STOP_TIMEOUT_MS);
  process.kill(child.pid!, 'SIGTERM');
  await exited;
  clearTimeout(killer);
}

/** A loopback port free right now (the service needs one before it starts). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}
