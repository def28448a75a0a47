// Case 11, live fan-out over SSE: STREAMS open GET /messages/stream streams, then posts at 1/s and
// at RATE/s; every post's `message.created` event must reach every stream. For each (post, stream)
// pair: the time from the post's answer to the event's arrival on that stream (p50, p99, max over
// all pairs of a rate, and the p99 of each round), and the pairs that never arrived (missed, within
// 5 s of a slice's last post), with the instances' CPU seconds per rate and RSS (before the
// streams open, once they are, the highest sampled every 0.5 s during the posts, and after them).
// Two variants: one instance holding all the streams, and two instances (same PostgreSQL, same
// Redis prefix) holding half each, with the posts alternating between them.
// Baseline, same run: bench/baselines/plain-streams.mjs, a plain node:http server subscribed to a
// channel of the same kind, writing each published event to every open response (one process per
// instance of the variant). The case publishes its events itself with a plain PUBLISH of
// `<entry id> <wire event>`, what the service's post script publishes (it also XADDs to the log).
// How the two timings compare: the service's clock starts when POST /messages answers 201, which
// it sends after its publish script's reply, so both are timed from the moment the publisher
// learns the event is out. But the service may send its 201 after writing the event to its
// streams (the subscriber's message and the script's reply reach the same process at once), so
// its time from the 201 can be below the fan-out's own, even negative (reported as "before the
// answer"). Hence a second clock, common to both sides: from the moment a subscriber of the case's
// own hears the event on the channel (fromPublish). The service's POST latency is shown too.
// In each variant both sides' streams are open at once (idle streams cost nothing); each side
// makes 5 posts that are not measured (cold code on every side). Then, round after round, slices
// of `seconds` at 1/s and then at RATE/s, the sides taking turns, the first swapping each round
// (this machine's speed drifts, and other work runs on it).
// Target (issue): p99 from the 201 ≤ 100 ms at 1,000 streams and 50 posts/s on one instance, no
// event missed, RSS < 250 MB. `ratio`: baseline p99 / service p99 (one instance, RATE/s).
// Usage: npm run build && node bench/cases/fan-out.mjs [seconds=5] [streams=1000] [rate=50]
//   [rounds=2]
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import Redis from 'ioredis';
import { clearPrefix, runWhenMain, startBaseline } from '../lib/baseline.mjs';
import { jsonClient } from '../lib/http-client.mjs';
import { freePorts } from '../lib/ports.mjs';
import { BENCH_REDIS_URL, registerUser, startService } from '../lib/service.mjs';
import { redisKeys } from '../../dist/src/common/redis/key-namespaces.js';

const NAME = 'fan-out';
const TARGET_P99_MS = 100;
const MEMORY_TARGET_MB = 250;
const SLOW_RATE = 1;
/** Streams opened at once: the service subscribes on the first and registers each in turn. */
const OPEN_CONCURRENCY = 50;
/** How long the last events may take to arrive before the missing ones count as missed. */
const GRACE_MS = 5_000;
const RSS_SAMPLE_MS = 500;
/** The client's event-loop delay is sampled this often; the histogram holds whole intervals. */
const LOOP_SAMPLE_MS = 10;
/** Posts before the phases, not measured: the first events run cold code on every side. */
const WARM_UP_POSTS = 5;
/** Posts in flight at once, per instance: enough for 50/s at a few tens of ms each. */
const POST_SOCKETS = 8;
const MESSAGE_TTL_SECONDS = 60;
const TEXT = 'fan-out benchmark message';

/** `serviceEnv` adds to both instances' environment (say NODE_OPTIONS for a CPU profile). */
export async function run({
  seconds = 5,
  streams = 1000,
  rate = 50,
  rounds = 2,
  serviceEnv = {},
} = {}) {
  const prefix = `tm-bench-fanout-${process.pid}:`;
  // Under the service's prefix, so one clearPrefix removes both; a channel of its own.
  const baselinePrefix = `${prefix}baseline:`;
  await clearPrefix(prefix);
  const [servicePortA, servicePortB, baselinePortA, baselinePortB] = await freePorts(4);
  const env = {
    REDIS_KEY_PREFIX: prefix,
    ACCESS_TOKEN_TTL: '1h',
    // Every stream comes from 127.0.0.1, and one instance holds them all.
    SSE_MAX_CLIENTS: String(streams),
    SSE_MAX_CLIENTS_PER_IP: String(streams),
    ...serviceEnv,
  };
  const started = [];
  const redis = new Redis(BENCH_REDIS_URL);
  try {
    const serviceA = await startService({ port: servicePortA, env });
    started.push(serviceA);
    const serviceB = await startService({ port: servicePortB, env });
    started.push(serviceB);
    const baselineEnv = { REDIS_KEY_PREFIX: baselinePrefix };
    const baselineA = await startBaseline('plain-streams.mjs', baselinePortA, baselineEnv);
    started.push(baselineA);
    const baselineB = await startBaseline('plain-streams.mjs', baselinePortB, baselineEnv);
    started.push(baselineB);

    const user = await registerUser(serviceA.base, 'fan-out');
    const author = { id: user.user?.id ?? randomUUID(), email: user.email };
    const servicePoster = (instances) => {
      const clients = instances.map(({ base }) => jsonClient(base, { sockets: POST_SOCKETS }));
      let next = 0;
      return {
        channel: `${prefix}${redisKeys.messagesEvents()}`,
        async post() {
          const client = clients[next++ % clients.length];
          const sentAt = performance.now();
          const answer = await client.request({
            method: 'POST',
            path: '/messages',
            token: user.accessToken,
            body: { message: TEXT, ttlSeconds: MESSAGE_TTL_SECONDS },
          });
          if (answer.status !== 201) return { ok: false };
          return { ok: true, id: answer.body.id, sentAt, answeredAt: sentAt + answer.ms };
        },
        close: () => clients.forEach((client) => client.close()),
      };
    };
    const baselinePoster = () => {
      const channel = `${baselinePrefix}${redisKeys.messagesEvents()}`;
      let sequence = 0;
      return {
        channel,
        async post() {
          const id = randomUUID();
          const now = Date.now();
          const message = {
            id,
            text: TEXT,
            authorId: author.id,
            authorEmail: author.email,
            createdAt: now,
            expiresAt: now + MESSAGE_TTL_SECONDS * 1000,
          };
          const event = JSON.stringify({ type: 'message.created', message });
          const payload = `${now}-${sequence++} ${event}`;
          const sentAt = performance.now();
          await redis.publish(channel, payload);
          return { ok: true, id, sentAt, answeredAt: performance.now() };
        },
        close: () => undefined,
      };
    };

    const phases = [
      { rate: SLOW_RATE, seconds },
      { rate, seconds },
    ];
    const variants = [
      {
        variant: 'one',
        sides: [
          { side: 'service', instances: [serviceA], poster: servicePoster([serviceA]) },
          { side: 'baseline', instances: [baselineA], poster: baselinePoster() },
        ],
      },
      {
        variant: 'two',
        sides: [
          {
            side: 'service',
            instances: [serviceA, serviceB],
            poster: servicePoster([serviceA, serviceB]),
          },
          { side: 'baseline', instances: [baselineA, baselineB], poster: baselinePoster() },
        ],
      },
    ];
    const arms = [];
    for (const { variant, sides } of variants) {
      console.log(`${variant} instance(s): ${streams} streams on each side, ${rounds} rounds`);
      for (const arm of await runVariant({ sides, streams, phases, rounds })) {
        arms.push({ variant, ...arm });
      }
    }

    const find = (variant, side) => arms.find((a) => a.variant === variant && a.side === side);
    const oneService = find('one', 'service');
    const fast = oneService.phases.at(-1);
    const rssMb = Math.max(...oneService.rssMb.max, ...oneService.rssMb.after);
    const ratio = find('one', 'baseline').phases.at(-1).fromAnswer.p99 / fast.fromAnswer.p99;
    return {
      case: NAME,
      target:
        `p99 from the 201 to the event on every stream ≤ ${TARGET_P99_MS} ms at ${streams} ` +
        `streams and ${rate} posts/s on one instance, no event missed, ` +
        `RSS < ${MEMORY_TARGET_MB} MB`,
      settings: { seconds, streams, rates: phases.map((phase) => phase.rate), rounds },
      arms,
      ratio: Number.isFinite(ratio) && ratio > 0 ? ratio : null,
      met:
        fast.fromAnswer.p99 <= TARGET_P99_MS &&
        arms
          .filter((a) => a.side === 'service')
          .every((a) =>
            a.phases.every((phase) => phase.missed === 0 && phase.postFailures === 0),
          ) &&
        rssMb < MEMORY_TARGET_MB,
      rssMb,
    };
  } finally {
    for (const server of started.reverse()) await server.stop();
    redis.disconnect();
    await clearPrefix(prefix);
  }
}

/**
 * Opens `streams` streams on each side (spread evenly over its instances), then runs the phases
 * in slices, round after round, the sides taking turns (the first swapping each round), each
 * slice waiting for its last events; returns each side's figures per phase, over all rounds.
 */
async function runVariant({ sides, streams, phases, rounds }) {
  const heard = new Map();
  const listener = new Redis(BENCH_REDIS_URL);
  listener.on('message', (_channel, payload) => {
    const at = performance.now();
    // The service's subscription probes (`probe <uuid>`) travel on the channel too.
    if (!/^\d/.test(payload)) return;
    heard.set(JSON.parse(payload.slice(payload.indexOf(' ') + 1)).message.id, at);
  });
  await listener.subscribe(...sides.map(({ poster }) => poster.channel));
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  const all = sides.map((side) => ({
    ...side,
    arrivals: arrivalLog(streams),
    open: [],
    slices: [],
    rss: { before: [], open: [], max: side.instances.map(() => 0), after: [] },
  }));
  const rssOf = ({ instances }) => Promise.all(instances.map((instance) => instance.rssMb()));
  const sampleRss = async () => {
    for (const { instances, rss } of all) {
      for (const [i, instance] of instances.entries()) {
        rss.max[i] = Math.max(rss.max[i], await instance.rssMb());
      }
    }
  };
  let sampler;
  try {
    for (const side of all) {
      side.rss.before = await rssOf(side);
      for (let first = 0; first < streams; first += OPEN_CONCURRENCY) {
        const batch = [];
        for (let index = first; index < Math.min(streams, first + OPEN_CONCURRENCY); index++) {
          const { base } = side.instances[index % side.instances.length];
          batch.push(openStream(base, index, side.arrivals.onEvent, agent));
        }
        side.open.push(...(await Promise.all(batch)));
      }
      side.rss.open = await rssOf(side);
      const warmUp = await paced(10, WARM_UP_POSTS / 10, () => side.poster.post());
      await until(() => side.arrivals.complete(warmUp), GRACE_MS);
    }
    sampler = setInterval(() => void sampleRss().catch(() => undefined), RSS_SAMPLE_MS);
    for (let round = 1; round <= rounds; round++) {
      for (const { rate, seconds } of phases) {
        for (const side of round % 2 ? all : [...all].reverse()) {
          const { instances, poster } = side;
          const cpuBefore = await Promise.all(instances.map((instance) => instance.cpuSeconds()));
          const clientBefore = process.cpuUsage();
          loopDelay.reset();
          loopDelay.enable();
          const posts = await paced(rate, seconds, () => poster.post());
          await until(() => side.arrivals.complete(posts), GRACE_MS);
          loopDelay.disable();
          const cpuAfter = await Promise.all(instances.map((instance) => instance.cpuSeconds()));
          const client = process.cpuUsage(clientBefore);
          side.slices.push({
            round,
            rate,
            seconds,
            posts,
            cpuSeconds: cpuAfter.map((after, i) => after - cpuBefore[i]),
            clientCpuSeconds: (client.user + client.system) / 1e6,
            clientLoopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_SAMPLE_MS),
          });
        }
      }
    }
    clearInterval(sampler);
    await sampleRss();
    for (const side of all) side.rss.after = await rssOf(side);
    return all.map((side) => ({
      side: side.side,
      phases: phases.map(({ rate, seconds }) => {
        const slices = side.slices.filter((slice) => slice.rate === rate);
        const sum = (values) => values.reduce((total, value) => total + value, 0);
        return {
          rate,
          seconds: seconds * slices.length,
          ...figures(
            slices.flatMap((slice) => slice.posts),
            side.arrivals.times,
            heard,
            streams,
          ),
          p99ByRound: slices.map(
            (slice) => figures(slice.posts, side.arrivals.times, heard, streams).fromAnswer.p99,
          ),
          cpuSeconds: side.instances.map((_, i) => sum(slices.map((slice) => slice.cpuSeconds[i]))),
          clientCpuSeconds: sum(slices.map((slice) => slice.clientCpuSeconds)),
          clientLoopDelayP99Ms: Math.max(...slices.map((slice) => slice.clientLoopDelayP99Ms)),
        };
      }),
      duplicates: side.arrivals.duplicates(),
      streamsEnded: side.open.filter((stream) => stream.ended()).length,
      rssMb: side.rss,
    }));
  } finally {
    clearInterval(sampler);
    for (const side of all) for (const stream of side.open) stream.close();
    agent.destroy();
    listener.disconnect();
    for (const side of all) side.poster.close();
    // The service frees a stream's slot once it sees the socket close.
    await sleep(500);
  }
}

/** When each message's event reached each of `streams` streams (NaN: not yet). */
function arrivalLog(streams) {
  const times = new Map();
  let duplicates = 0;
  return {
    times,
    duplicates: () => duplicates,
    onEvent(messageId, stream, at) {
      let row = times.get(messageId);
      if (!row) {
        row = new Float64Array(streams).fill(NaN);
        times.set(messageId, row);
      }
      if (Number.isNaN(row[stream])) row[stream] = at;
      else duplicates++;
    },
    /** Every stream has every post's event. */
    complete(posts) {
      for (const { id, ok } of posts) {
        if (!ok) continue;
        const row = times.get(id);
        if (!row || row.some(Number.isNaN)) return false;
      }
      return true;
    },
  };
}

/** Waits until `done()` holds or `ms` have passed. */
async function until(done, ms) {
  const deadline = performance.now() + ms;
  while (!done() && performance.now() < deadline) await sleep(100);
}

/** Latencies over every (post, stream) pair of a phase; a pair that never arrived is missed. */
function figures(posts, arrivals, heard, streams) {
  const ok = posts.filter((post) => post.ok);
  const fromAnswer = [];
  const fromPublish = [];
  let missed = 0;
  for (const post of ok) {
    const times = arrivals.get(post.id) ?? new Float64Array(streams).fill(NaN);
    const heardAt = heard.get(post.id);
    for (const at of times) {
      if (Number.isNaN(at)) {
        missed++;
        continue;
      }
      fromAnswer.push(at - post.answeredAt);
      if (heardAt !== undefined) fromPublish.push(at - heardAt);
    }
  }
  const answer = distribution(fromAnswer);
  return {
    posts: ok.length,
    postFailures: posts.length - ok.length,
    pairs: ok.length * streams,
    missed,
    beforeTheAnswer: fromAnswer.filter((ms) => ms < 0).length,
    fromAnswer: answer,
    fromPublish: distribution(fromPublish),
    postMs: distribution(ok.map((post) => post.answeredAt - post.sentAt)),
  };
}

function distribution(values) {
  if (values.length === 0) return { p50: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (quantile) =>
    sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))];
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) };
}

/** Calls `fire` `rate` times a second for `seconds`, on schedule whatever the answers take. */
async function paced(rate, seconds, fire) {
  const count = Math.round(rate * seconds);
  const start = performance.now();
  const pending = [];
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(fire());
  }
  return Promise.all(pending);
}

/**
 * A stream read as cheaply as possible: plain node:http, events cut at blank lines, the message id
 * taken from the front of `data:` (the API's JSON starts with it). Each event is stamped with the
 * time its chunk arrived. Resolves once the first chunk (the `retry:` field) has come: the stream
 * is then live.
 */
function openStream(base, index, onEvent, agent) {
  const { hostname, port } = new URL(base);
  let closing = false;
  let ended = false;
  return new Promise((resolve, reject) => {
    const request = http.request({
      agent,
      hostname,
      port,
      path: '/messages/stream',
      headers: { accept: 'text/event-stream' },
    });
    request.on('error', (error) => {
      ended = true;
      if (!closing) reject(error);
    });
    request.on('response', (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`stream ${index} refused: ${response.statusCode}`));
        return;
      }
      response.setEncoding('utf8');
      let buffer = '';
      let live = false;
      response.on('data', (chunk) => {
        const at = performance.now();
        buffer += chunk;
        let start = 0;
        for (let end; (end = buffer.indexOf('\n\n', start)) !== -1; start = end + 2) {
          readEvent(buffer.slice(start, end), index, at, onEvent);
        }
        buffer = buffer.slice(start);
        if (!live) {
          live = true;
          resolve({
            ended: () => ended,
            close: () => {
              closing = true;
              request.destroy();
            },
          });
        }
      });
      response.on('close', () => {
        ended = !closing;
      });
    });
    request.end();
  });
}

function readEvent(block, index, at, onEvent) {
  let type = 'message';
  let data = null;
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // a comment (the heartbeat), or no field
    const field = line.slice(0, colon);
    const value = line.slice(line[colon + 1] === ' ' ? colon + 2 : colon + 1);
    if (field === 'event') type = value;
    else if (field === 'data') data = data === null ? value : `${data}\n${value}`;
  }
  if (type !== 'message.created' || data === null) return;
  const id = data.startsWith('{"id":"') ? data.slice(7, data.indexOf('"', 7)) : JSON.parse(data).id;
  onEvent(id, index, at);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function print(result) {
  console.log(`\n${result.case} — target: ${result.target}`);
  const ms = ({ p50, p99, max }) => [p50, p99, max].map((value) => value.toFixed(1)).join(' / ');
  console.log(
    'instances | side | posts/s | posts | pairs | missed | before answer | ' +
      'from answer p50/p99/max ms | p99 by round | from publish p50/p99/max ms | ' +
      'POST p50/p99 ms | ' +
      'CPU s per instance (in s) | client CPU s | client loop delay p99 ms',
  );
  for (const arm of result.arms) {
    for (const phase of arm.phases) {
      console.log(
        [
          arm.variant,
          arm.side,
          phase.rate,
          `${phase.posts}${phase.postFailures ? ` (+${phase.postFailures} failed)` : ''}`,
          phase.pairs,
          phase.missed,
          phase.beforeTheAnswer,
          ms(phase.fromAnswer),
          phase.p99ByRound.map((p99) => p99.toFixed(1)).join(', '),
          ms(phase.fromPublish),
          arm.side === 'service'
            ? `${phase.postMs.p50.toFixed(1)} / ${phase.postMs.p99.toFixed(1)}`
            : '—',
          `${phase.cpuSeconds.map((cpu) => cpu.toFixed(2)).join(' + ')} (${phase.seconds})`,
          phase.clientCpuSeconds.toFixed(2),
          phase.clientLoopDelayP99Ms.toFixed(1),
        ].join(' | '),
      );
    }
    const mb = (values) => values.map((value) => value.toFixed(0)).join(' + ');
    console.log(
      `  ${arm.variant} ${arm.side}: RSS MB before the streams ${mb(arm.rssMb.before)}, ` +
        `streams open ${mb(arm.rssMb.open)}, max ${mb(arm.rssMb.max)}, ` +
        `after ${mb(arm.rssMb.after)}; ` +
        `streams ended early ${arm.streamsEnded}, duplicates ${arm.duplicates}`,
    );
  }
  console.log(
    `ratio (baseline p99 / service p99, one instance): ${result.ratio?.toFixed(2) ?? '—'}; ` +
      `service RSS max ${result.rssMb.toFixed(0)} MB; target met: ${result.met ? 'yes' : 'no'}`,
  );
}

await runWhenMain(import.meta.url, run, print, ['seconds', 'streams', 'rate', 'rounds']);
