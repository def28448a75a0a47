import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { runInThisContext } from 'node:vm';
import { Redis } from 'ioredis';

/**
 * A real Redis Cluster on loopback for the tests: `redis-server` processes in cluster mode on
 * free ports, joined by `redis-cli --cluster create`, stopped by their PIDs. No data is saved;
 * the nodes' files (cluster configs, replicas' sync copies) sit in a temporary folder that
 * `stop()` removes.
 */
export interface RedisClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /** cluster-node-timeout: how long a node may be unreachable before its replica takes over. */
  nodeTimeoutMs?: number;
  /** Bound on the whole start: processes, create, every node ok and every replica in sync. */
  readyTimeoutMs?: number;
}

/** One line of CLUSTER NODES, as a live node sees it. */
export interface ClusterNodeState {
  id: string;
  /** `127.0.0.1:<port>`. */
  address: string;
  port: number;
  role: 'master' | 'replica';
  /** The id of the master a replica follows. */
  masterId: string | undefined;
  /** Flags such as `myself`, `fail?` (suspected) and `fail` (agreed on). */
  flags: string[];
  /** Slot ranges served, e.g. `0-5460`. */
  slots: string[];
}

export interface RedisCluster {
  /** `127.0.0.1:<port>` of every node as created: redis-cli makes the first `masters` masters. */
  readonly nodes: string[];
  /** The nodes serving slots now (after a failover, the promoted replicas). */
  masters(): Promise<string[]>;
  /** Every node as the first live node sees it. */
  topology(): Promise<ClusterNodeState[]>;
  /** The PIDs of the nodes running now. */
  pids(): number[];
  /** Ends one node by its PID (SIGKILL: a crash; SIGTERM: a shutdown) and waits for its exit. */
  stopNode(port: number, signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Starts a stopped node again on its port with its config file, so it rejoins the cluster. */
  startNode(port: number): Promise<void>;
  /** Ends every node and removes the folder; calling it again does nothing more. */
  stop(): Promise<void>;
}

const REDIS_SERVER = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';
const HOST = '127.0.0.1';
const SLOTS = 16384;
const PORT_ATTEMPTS = 5;
const SERVER_START_MS = 5000;
const POLL_MS = 50;

interface Node {
  port: number;
  busPort: number;
  child?: ChildProcess;
  /** The end of what the server printed, for error messages. */
  output: string;
}

export async function startRedisCluster({
  masters = 3,
  replicasPerMaster = 1,
  nodeTimeoutMs = 1000,
  readyTimeoutMs = 20_000,
}: RedisClusterOptions = {}): Promise<RedisCluster> {
  const deadline = Date.now() + readyTimeoutMs;
  const dir = mkdtempSync(join(tmpdir(), 'tempmessenger-redis-cluster-'));
  folders.add(dir);
  const nodes: Node[] = [];
  const addressOf = (node: Node) => `${HOST}:${node.port}`;

  const nodeAt = (port: number) => {
    const node = nodes.find((candidate) => candidate.port === port);
    if (!node) throw new Error(`No node of this cluster listens on port ${port}`);
    return node;
  };
  const live = () => nodes.filter((node) => isRunning(node.child));

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopAll(nodes, dir));

  const topology = async () => {
    for (const node of live()) {
      const text = await ask<string>(node.port, 'CLUSTER', 'NODES').catch(() => undefined);
      if (text !== undefined) return parseClusterNodes(text);
    }
    throw new Error('No node of the cluster answers');
  };

  try {
    const total = masters * (1 + replicasPerMaster);
    // allSettled: no start is still under way when a failure stops the others.
    const starts = await Promise.allSettled(
      Array.from({ length: total }, () => {
        const node: Node = { port: 0, busPort: 0, output: '' };
        nodes.push(node);
        return startOnFreePorts(node, dir, nodeTimeoutMs);
      }),
    );
    const failed = starts.find((start) => start.status === 'rejected');
    if (failed) throw failed.reason;
    await createCluster(nodes.map(addressOf), replicasPerMaster, deadline);
    await untilReady(nodes, masters, replicasPerMaster, deadline);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    nodes: nodes.map(addressOf),
    masters: async () =>
      (await topology())
        .filter((node) => node.role === 'master' && node.slots.length > 0)
        .filter((node) => !node.flags.includes('fail'))
        .map((node) => node.address),
    topology,
    pids: () => live().map((node) => node.child!.pid!),
    stopNode: (port, signal = 'SIGKILL') => end(nodeAt(port).child, signal),
    startNode: async (port) => {
      const node = nodeAt(port);
      if (stopping) throw new Error('The cluster has been stopped');
      if (isRunning(node.child)) throw new Error(`The node on port ${port} is running`);
      await startServer(node, dir, nodeTimeoutMs);
    },
    stop,
  };
}

/** A plain redis-server (not in cluster mode): a single Redis of a test's own. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Ends it and removes its folder; calling it again does nothing more. */
  stop(): Promise<void>;
}

/** Starts a single redis-server on a free loopback port, saving nothing, like the cluster's nodes. */
export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tempmessenger-redis-'));
  folders.add(dir);
  const node: Node = { port: 0, busPort: 0, output: '' };
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopAll([node], dir));
  try {
    await startOnFreePorts(node, dir, null);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://${HOST}:${node.port}`, stop };
}

/** Ends the nodes and removes their folder. */
async function stopAll(nodes: Node[], dir: string): Promise<void> {
  // SIGKILL: the data is thrown away anyway, and a master's SIGTERM may wait on replicas.
  await Promise.all(nodes.map((node) => end(node.child, 'SIGKILL')));
  rmSync(dir, { recursive: true, force: true });
  folders.delete(dir);
}

/** Parses CLUSTER NODES (`<id> <ip:port@bus> <flags> <master|-> … <link> <slots…>`). */
/** True when the node serves `slot` (its `slots` are ranges such as `0-5460`, or single slots). */
export function servesSlot(node: ClusterNodeState, slot: number): boolean {
  return node.slots.some((range) => {
    const [first, last = first] = range.split('-').map(Number);
    return slot >= first && slot <= last;
  });
}

export function parseClusterNodes(text: string): ClusterNodeState[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id, endpoint, flagList, master, , , , , ...slots] = line.trim().split(' ');
      const address = endpoint.split('@')[0];
      const flags = flagList.split(',');
      return {
        id,
        address,
        port: Number(address.slice(address.lastIndexOf(':') + 1)),
        role: flags.includes('master') ? 'master' : 'replica',
        masterId: master === '-' ? undefined : master,
        flags,
        slots,
      };
    });
}

/** One command to one node on a connection of its own, which ends with the answer. */
export async function ask<T = unknown>(port: number, ...command: string[]): Promise<T> {
  const client = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    connectTimeout: 1000,
    commandTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {}); // the command's promise carries it
  try {
    await client.connect();
    return (await client.call(command[0], ...command.slice(1))) as T;
  } finally {
    client.disconnect();
  }
}

/**
 * Picks a node's ports, starts it, and picks again when another process took a port first. A
 * node timeout starts a cluster node, null a plain server.
 */
async function startOnFreePorts(
  node: Node,
  dir: string,
  nodeTimeoutMs: number | null,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    [node.port, node.busPort] = await freePorts(2);
    try {
      return await startServer(node, dir, nodeTimeoutMs);
    } catch (error) {
      const taken = node.output.includes('Address already in use');
      if (!taken || attempt === PORT_ATTEMPTS) throw error;
    }
  }
}

/** Loopback ports free right now, all different: each is held until every one is picked. */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      server.listen(0, HOST);
      await once(server, 'listening');
    }
    return servers.map((server) => (server.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** Spawns the node's redis-server and resolves once it accepts connections. */
async function startServer(node: Node, dir: string, nodeTimeoutMs: number | null): Promise<void> {
  node.output = '';
  const cluster =
    nodeTimeoutMs === null
      ? []
      : [
          // The bus port is picked too: the default, port + 10000, may be taken or past 65535.
          ...['--cluster-enabled', 'yes', '--cluster-port', String(node.busPort)],
          ...['--cluster-config-file', join(dir, `nodes-${node.port}.conf`)],
          ...['--cluster-node-timeout', String(nodeTimeoutMs)],
        ];
  const child = spawn(
    REDIS_SERVER,
    [
      ...['--port', String(node.port), '--bind', HOST],
      ...cluster,
      ...['--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
      // A replica syncs at once instead of waiting 5 s for others to share a diskless transfer.
      ...['--repl-diskless-sync-delay', '0'],
      // Redis lists a replica in CLUSTER SLOTS only once its replication offset moved, and an
      // idle master moves it by pinging its replicas: every second here, not every 10 s.
      ...['--repl-ping-replica-period', '1'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  node.child = child;
  watch(child);
  // Always read the output: a full pipe would stall the server.
  const keep = (chunk: Buffer) => (node.output = (node.output + chunk.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);

  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`redis-server on port ${node.port} was not ready in ${SERVER_START_MS} ms`));
      child.kill('SIGKILL');
    }, SERVER_START_MS);
    child.stdout!.on('data', () => {
      if (node.output.includes('Ready to accept connections')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(
        new Error(
          `redis-server on port ${node.port} exited (${signal ?? code}) before it was ready: ` +
            node.output.trim().split('\n').slice(-3).join(' | '),
        ),
      ),
    );
  }).finally(() => clearTimeout(timer));
  // A server left running must not keep a test run alive: the safety net ends it at exit.
  for (const handle of [child, child.stdout as Socket, child.stderr as Socket]) handle.unref();
}

type ExecFailure = { killed?: boolean; stdout?: string; stderr?: string };

async function createCluster(addresses: string[], replicas: number, deadline: number) {
  const args = ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas)];
  try {
    await promisify(execFile)(REDIS_CLI, [...args, '--cluster-yes'], {
      timeout: Math.max(deadline - Date.now(), 1),
    });
  } catch (error) {
    const { killed, stdout = '', stderr = '' } = error as ExecFailure;
    // redis-cli colours its output even into a pipe.
    const said = stripVTControlCharacters(`${stdout}${stderr}`)
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
    throw new Error(
      `redis-cli --cluster create ${killed ? 'did not finish in time' : 'failed'}: ${said}`,
      { cause: error },
    );
  }
}

/**
 * Waits until every node says `cluster_state:ok` with every slot assigned and knows every other
 * node, the expected number of masters serve slots, every replica's link is up, and CLUSTER
 * SLOTS (what clients read) lists every replica.
 */
async function untilReady(
  nodes: Node[],
  masters: number,
  replicasPerMaster: number,
  deadline: number,
): Promise<void> {
  for (;;) {
    const states = await Promise.all(
      nodes.map((node) => nodeState(node, nodes.length, replicasPerMaster)),
    );
    const missing = states.flatMap((state) => state.missing);
    const serving = states.filter((state) => state.role === 'master').length;
    if (serving !== masters) missing.push(`${serving} masters instead of ${masters}`);
    if (missing.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`The Redis Cluster did not come up in time: ${missing.join('; ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function nodeState(
  node: Node,
  total: number,
  replicasPerMaster: number,
): Promise<{ role?: string; missing: string[] }> {
  const name = `${HOST}:${node.port}`;
  try {
    const cluster = fields(await ask<string>(node.port, 'CLUSTER', 'INFO'));
    const replication = fields(await ask<string>(node.port, 'INFO', 'replication'));
    // [start, end, master, ...replicas] per slot range
    const ranges = await ask<unknown[][]>(node.port, 'CLUSTER', 'SLOTS');
    const missing: string[] = [];
    if (cluster.cluster_state !== 'ok') {
      missing.push(`${name} cluster_state:${cluster.cluster_state}`);
    }
    if (Number(cluster.cluster_slots_assigned) !== SLOTS) {
      missing.push(`${name} cluster_slots_assigned:${cluster.cluster_slots_assigned}`);
    }
    if (Number(cluster.cluster_known_nodes) !== total) {
      missing.push(`${name} cluster_known_nodes:${cluster.cluster_known_nodes}`);
    }
    if (replication.role === 'slave' && replication.master_link_status !== 'up') {
      missing.push(`${name} master_link_status:${replication.master_link_status}`);
    }
    if (ranges.some((range) => range.length !== 3 + replicasPerMaster)) {
      missing.push(`${name} CLUSTER SLOTS without every replica`);
    }
    return { role: replication.role, missing };
  } catch (error) {
    return { missing: [`${name} does not answer (${(error as Error).message})`] };
  }
}

/** `key:value` lines of INFO and CLUSTER INFO. */
function fields(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\r\n')
      .filter((line) => line.includes(':'))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]),
  );
}

function isRunning(child: ChildProcess | undefined): child is ChildProcess {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

async function end(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!isRunning(child)) return;
  const exited = once(child, 'exit');
  child.ref(); // the process must not end before this one is gone
  process.kill(child.pid!, signal);
  await exited;
}

/**
 * The safety net: every server still running when the process exits, or is told to stop by a
 * signal, is SIGKILLed by its PID, and the folders of clusters not stopped are removed.
 * Listeners are on the real process only while servers run: in a jest test file `process` is a
 * copy whose events never fire.
 */
const realProcess = runInThisContext('process') as NodeJS.Process;
const running = new Set<ChildProcess>();
const folders = new Set<string>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  running.clear();
  unlisten();
  // Without a listener left, the signal does again what it would have done: end the process.
  if (realProcess.listenerCount(signal) === 0) realProcess.kill(realProcess.pid, signal);
}

function listen(): void {
  realProcess.on('exit', killAll);
  for (const signal of SIGNALS) realProcess.on(signal, onSignal);
}

function unlisten(): void {
  realProcess.off('exit', killAll);
  for (const signal of SIGNALS) realProcess.off(signal, onSignal);
}

function watch(child: ChildProcess): void {
  if (running.size === 0) listen();
  running.add(child);
  child.once('exit', () => {
    running.delete(child);
    if (running.size === 0) unlisten();
  });
}
