import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Cluster, type Redis } from 'ioredis';
import { AppConfig } from '../../common/config';
import { ServiceUnavailableError, TranslateErrors } from '../../common/errors';
import { loggableError } from '../../common/logging';
import {
  defineRedisScript,
  InjectRedis,
  LUA_NOW_MS,
  readLua,
  type RedisClient,
  redisKeys,
  type RedisScript,
  translateRedisError,
} from '../../common/redis';
import { fromRecord, type MessageRecord, toRecord } from './message.record';
import type {
  LoggedMessageEvent,
  MessageEvent,
  MessageEventListener,
  PublishedMessageEvent,
} from '../domain/message-event';
import { MessageEventBus } from '../domain/message-event.bus';

/**
 * Events go two ways at once, in one Lua script (`lua/`): into a capped stream
 * `{board}:messages:events` (the recent past, for resuming after an event id) and out on the
 * pub/sub channel `<prefix>{board}:messages:events` (the present, for every instance's
 * listeners): classic pub/sub on one server, sharded pub/sub (Redis 7) on a cluster, where the
 * channel lives in the board's slot beside the stream, so only that slot's master and replicas
 * carry it (a classic PUBLISH would travel to every node of the cluster). The channel carries
 * the stream entry's id, so live and replayed events share one id sequence.
 * The stream keeps the type and the message id only: a resuming reader reads the message again,
 * so no text or author outlives its message there. The channel carries the whole event, since
 * pub/sub keeps nothing. The stream holds at most the replay window's count of entries and none
 * older than the longest message lifetime (after which every message it names is gone).
 * Pub/sub channels ignore the db index and the client's key prefix: the prefix is written into
 * the channel name, so services (and test runs) sharing one Redis keep to their own events.
 */
const EVENTS = redisKeys.messagesEvents();

const lua = (name: string) => join(__dirname, 'lua', `${name}.lua`);
const TRIM_BY_AGE = lua('stream-trim-by-age');
const PUBLISH = readLua(LUA_NOW_MS, TRIM_BY_AGE, lua('message-event-publish'));
const EVENTS_AFTER = readLua(LUA_NOW_MS, TRIM_BY_AGE, lua('message-events-after'));
const PROBE = readLua(lua('message-event-probe'));

const EVENTS_CONNECTION = 'tempmessenger-events';

const STREAM_ID = /^(\d{1,20})-(\d{1,20})$/;
/** Each part of a stream id is an unsigned 64-bit number: Redis refuses a larger one. */
const MAX_STREAM_ID_PART = 2n ** 64n - 1n;

function isStreamId(id: string): boolean {
  const parts = STREAM_ID.exec(id);
  return parts !== null && parts.slice(1).every((part) => BigInt(part) <= MAX_STREAM_ID_PART);
}

/** A payload on the channel that is no event: a subscriber's probe (see `confirmSubscription`). */
const PROBE_PREFIX = 'probe ';
/** The pause between probes of a subscription that may have missed events, until one comes back. */
const PROBE_INTERVAL_MS = 200;
/** Past this without hearing a probe back, the silence is logged: open streams get nothing. */
const PROBE_WARN_AFTER_MS = 30_000;

interface Probe {
  readonly payload: string;
  readonly since: number;
  timer?: NodeJS.Timeout;
  warned: boolean;
}

type WireEvent =
  { type: 'message.created'; message: MessageRecord } | { type: 'message.deleted'; id: string };

type StreamEntry = [id: string, fields: string[]];

@Injectable()
@TranslateErrors(translateRedisError)
export class RedisMessageEventBus extends MessageEventBus implements OnApplicationShutdown {
  private readonly logger = new Logger('MessageEventBus');
  private readonly channel: string;
  private readonly maxAgeMs: number;
  private readonly replayWindow: number;
  private readonly publishScript: RedisScript<string>;
  private readonly eventsAfterScript: RedisScript<StreamEntry[] | null>;
  private readonly probeScript: RedisScript<number>;
  private readonly publishCommand: 'PUBLISH' | 'SPUBLISH';
  private readonly listeners = new Set<MessageEventListener>();
  private readonly gapListeners = new Set<() => void>();
  private listening: Promise<void> | null = null;
  private subscriber: RedisClient | null = null;
  /** The subscriber while it connects: shutdown closes it too, or it would retry forever. */
  private connecting: RedisClient | null = null;
  private probe: Probe | null = null;
  private closed = false;

  constructor(
    @InjectRedis() private readonly redis: RedisClient,
    config: AppConfig,
  ) {
    super();
    this.channel = `${redis.options.keyPrefix ?? ''}${EVENTS}`;
    this.maxAgeMs = config.messages.maxTtlSeconds * 1000;
    this.replayWindow = config.sseReplayWindow;
    this.publishScript = defineRedisScript(redis, 'messageEventPublish', PUBLISH);
    this.eventsAfterScript = defineRedisScript(redis, 'messageEventsAfter', EVENTS_AFTER);
    this.probeScript = defineRedisScript(redis, 'messageEventProbe', PROBE);
    this.publishCommand = redis instanceof Cluster ? 'SPUBLISH' : 'PUBLISH';
  }

  async publish(event: MessageEvent): Promise<void> {
    const messageId = event.type === 'message.created' ? event.message.id : event.id;
    await this.publishScript(
      [EVENTS],
      [
        this.maxAgeMs,
        this.replayWindow,
        event.type,
        messageId,
        this.channel,
        JSON.stringify(toWire(event)),
        this.publishCommand,
      ],
    );
  }

  async subscribe(listener: MessageEventListener, onGap?: () => void): Promise<() => void> {
    this.listening ??= this.listen().catch((error: unknown) => {
      this.listening = null;
      throw error;
    });
    await this.listening;
    this.listeners.add(listener);
    if (onGap) this.gapListeners.add(onGap);
    return () => {
      this.listeners.delete(listener);
      if (onGap) this.gapListeners.delete(onGap);
    };
  }

  async eventsAfter(eventId: string): Promise<LoggedMessageEvent[] | null> {
    if (!isStreamId(eventId)) return null;
    const entries = await this.eventsAfterScript(
      [EVENTS],
      [this.maxAgeMs, eventId, this.replayWindow],
    );
    return entries?.map(toLogged) ?? null;
  }

  async newestEventId(): Promise<string | null> {
    const [newest] = await this.redis.xrevrange(EVENTS, '+', '-', 'COUNT', 1);
    return newest?.[0] ?? null;
  }

  async onApplicationShutdown(): Promise<void> {
    // Disconnecting makes a cluster subscriber report each of its nodes as lost.
    this.closed = true;
    clearTimeout(this.probe?.timer);
    this.probe = null;
    this.listeners.clear();
    this.subscriber?.disconnect();
    this.connecting?.disconnect();
  }

  /**
   * Subscribing takes a connection of its own (on a cluster, one per shard the channel is on),
   * made on first use: under RESP2 a subscribed connection runs no other command, and even under
   * RESP3 the pushes would otherwise queue behind the requests' commands. Once subscribed, ioredis
   * subscribes again by itself after each reconnection, and on a cluster after a failover or a
   * slot move, on the slot's new master; a first attempt that fails is dropped, so the next
   * reader tries again.
   */
  private async listen(): Promise<void> {
    if (this.closed) throw new ServiceUnavailableError();
    const subscriber =
      this.redis instanceof Cluster
        ? this.redis.duplicate(undefined, {
            shardedSubscribers: true,
            keyPrefix: '',
            lazyConnect: true,
            // SSUBSCRIBE is not among the commands ioredis keeps out of automatic pipelines.
            enableAutoPipelining: false,
            redisOptions: { ...this.redis.options.redisOptions, connectionName: EVENTS_CONNECTION },
          })
        : this.redis.duplicate({
            connectionName: EVENTS_CONNECTION,
            keyPrefix: '',
            lazyConnect: true,
          });
    subscriber.on('error', (error: Error) =>
      this.logger.debug(`Message event subscriber: ${error.message}`),
    );
    this.connecting = subscriber;
    try {
      if (subscriber instanceof Cluster) {
        this.watchShardedSubscriber(subscriber);
        await subscriber.connect();
        await subscriber.ssubscribe(this.channel);
      } else {
        this.watchClassicSubscriber(subscriber);
        await subscriber.connect();
        await subscriber.subscribe(this.channel);
      }
    } catch (error) {
      subscriber.disconnect();
      throw error;
    } finally {
      this.connecting = null;
    }
    // The application closed while this connected: nobody would close the connection after.
    if (this.closed) {
      subscriber.disconnect();
      throw new ServiceUnavailableError();
    }
    this.subscriber = subscriber;
  }

  /** Pub/sub keeps nothing: what was published while the subscriber was away is gone for it. */
  private watchClassicSubscriber(subscriber: Redis): void {
    subscriber.on('message', (_channel: string, payload: string) => this.deliver(payload));
    let connectedBefore = false;
    subscriber.on('ready', () => {
      if (connectedBefore) this.confirmSubscription();
      connectedBefore = true;
    });
  }

  /**
   * A shard's subscriber that loses its node (a failover) is replaced by ioredis on the slot's
   * new master, and a slot that moves (a reshard) is subscribed again on its new master; what was
   * published in between is gone for it, as on one server. ioredis does not say whether a change
   * touched the channel's shard, so any counts: a needless restart of the streams costs their
   * clients a resume from the log, a missed one would lose events silently. What ioredis reports
   * while the first subscription is made is not a loss.
   */
  private watchShardedSubscriber(subscriber: Cluster): void {
    subscriber.on('smessage', (_channel: string, payload: string) => this.deliver(payload));
    const changed = () => {
      if (this.subscriber === subscriber) this.confirmSubscription();
    };
    // A node gone, or a shard's subscriber stopped and replaced (a manual failover).
    subscriber.on('-node', changed);
    subscriber.on('-subscriber', changed);
    // Subscriptions sent again after a change of the slot map (a reshard replaces no subscriber).
    subscriber.on('subscribersReady', changed);
  }

  /**
   * The subscription may have missed events. Its listeners are told so once it hears the channel
   * again, which only a probe published now and heard back proves: ioredis sends the subscription
   * again on reconnection, but says "ready" before Redis confirms it, and during a failover it
   * says so each time it retries the lost node. Told earlier, a stream would end, resume from
   * the log, and miss what was published before the subscription was back.
   */
  private confirmSubscription(): void {
    if (this.probe || this.closed) return;
    const probe: Probe = {
      payload: `${PROBE_PREFIX}${randomUUID()}`,
      since: Date.now(),
      warned: false,
    };
    this.probe = probe;
    const send = async () => {
      // Fails while the channel's node is away; then the next one, once this one has settled.
      await this.probeScript([EVENTS], [this.channel, probe.payload, this.publishCommand]).catch(
        () => 0,
      );
      if (this.probe !== probe) return; // heard meanwhile, or shut down
      if (!probe.warned && Date.now() - probe.since > PROBE_WARN_AFTER_MS) {
        probe.warned = true;
        this.logger.warn(
          `The message event subscription has not heard its channel for ${PROBE_WARN_AFTER_MS / 1000} s: open streams receive no event until it does`,
        );
      }
      probe.timer = setTimeout(() => void send(), PROBE_INTERVAL_MS).unref();
    };
    void send();
  }

  private heardProbe(payload: string): void {
    const { probe } = this;
    if (!probe || payload !== probe.payload) return; // another instance's
    clearTimeout(probe.timer);
    this.probe = null;
    if (probe.warned) this.logger.log('The message event subscription hears its channel again');
    for (const onGap of this.gapListeners) onGap();
  }

  /** Runs in ioredis' event handler: a bad payload or a failing listener is logged, never thrown. */
  private deliver(payload: string): void {
    if (payload.startsWith(PROBE_PREFIX)) return this.heardProbe(payload);
    let published: PublishedMessageEvent;
    try {
      const space = payload.indexOf(' ');
      const id = payload.slice(0, space);
      if (!isStreamId(id)) throw new Error(`Not a stream id: ${id.slice(0, 40)}`);
      published = { id, event: fromWire(payload.slice(space + 1)) };
    } catch (error) {
      this.logger.warn({ err: loggableError(error) }, 'Dropped an unreadable message event');
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(published);
      } catch (error) {
        this.logger.warn({ err: loggableError(error) }, 'A message event listener failed');
      }
    }
  }
}

/** Fields as PUBLISH writes them: `type <type> message <message id>`. */
function toLogged([id, [, type, , messageId]]: StreamEntry): LoggedMessageEvent {
  return { id, type: type as LoggedMessageEvent['type'], messageId };
}

function toWire(event: MessageEvent): WireEvent {
  if (event.type === 'message.deleted') return event;
  return { type: event.type, message: toRecord(event.message) };
}

function fromWire(json: string): MessageEvent {
  const wire = JSON.parse(json) as WireEvent;
  if (wire.type === 'message.deleted') return { type: wire.type, id: wire.id };
  return { type: wire.type, message: fromRecord(wire.message) };
}
