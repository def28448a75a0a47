import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { loggableError } from '../../common/logging/loggable-error';
import { defineRedisScript, type RedisScript } from '../../common/redis/redis-script';
import { fromRecord, type MessageRecord, toRecord } from './message.record';
import type {
  MessageEvent,
  MessageEventListener,
  PublishedMessageEvent,
} from '../domain/message-event';
import { MessageEventBus } from '../domain/message-event.bus';

/**
 * Events go two ways at once, in one Lua script: into a capped stream `messages:events` (the
 * recent past, for resuming after an event id) and out on the pub/sub channel
 * `<prefix>messages:events` (the present, for every instance's listeners). The channel carries
 * the stream entry's id, so live and replayed events share one id sequence.
 * Pub/sub channels ignore the db index and the client's key prefix: the prefix is written into
 * the channel name, so services (and test runs) sharing one Redis keep to their own events.
 */
const EVENTS = 'messages:events';
/** How many recent events a reader can resume across: about a busy minute. */
const RETAINED_EVENTS = 1000;

/** KEYS: stream. ARGV: retained count, event JSON, channel. */
const PUBLISH = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'event', ARGV[2])
redis.call('PUBLISH', ARGV[3], id .. ' ' .. ARGV[2])
return id`;

/**
 * KEYS: stream. ARGV: event id, count. Returns nothing (false) when that id is older than the
 * oldest entry held (trimmed away, or from before a Redis restart), else the entries after it.
 */
const EVENTS_AFTER = `
if redis.call('XRANGE', KEYS[1], '-', ARGV[1], 'COUNT', 1)[1] == nil then return false end
return redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])`;

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

type WireEvent =
  { type: 'message.created'; message: MessageRecord } | { type: 'message.deleted'; id: string };

type StreamEntry = [id: string, fields: string[]];

@Injectable()
export class RedisMessageEventBus extends MessageEventBus implements OnApplicationShutdown {
  private readonly logger = new Logger('MessageEventBus');
  private readonly channel: string;
  private readonly publishScript: RedisScript<string>;
  private readonly eventsAfterScript: RedisScript<StreamEntry[] | null>;
  private readonly listeners = new Set<MessageEventListener>();
  private readonly gapListeners = new Set<() => void>();
  private listening: Promise<void> | null = null;
  private subscriber: Redis | null = null;

  constructor(private readonly redis: Redis) {
    super();
    this.channel = `${redis.options.keyPrefix ?? ''}${EVENTS}`;
    this.publishScript = defineRedisScript(redis, 'messageEventPublish', 1, PUBLISH);
    this.eventsAfterScript = defineRedisScript(redis, 'messageEventsAfter', 1, EVENTS_AFTER);
  }

  async publish(event: MessageEvent): Promise<void> {
    await this.publishScript(
      [EVENTS],
      [RETAINED_EVENTS, JSON.stringify(toWire(event)), this.channel],
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

  async eventsAfter(eventId: string): Promise<PublishedMessageEvent[] | null> {
    if (!STREAM_ID.test(eventId)) return null;
    const entries = await this.eventsAfterScript([EVENTS], [eventId, RETAINED_EVENTS]);
    return entries?.map(([id, fields]) => ({ id, event: fromWire(fields[1]) })) ?? null;
  }

  async onApplicationShutdown(): Promise<void> {
    this.listeners.clear();
    this.subscriber?.disconnect();
  }

  /**
   * A connection in subscriber mode runs no other command, hence a second one, made on first
   * use. Once subscribed, ioredis subscribes again by itself after each reconnection; a first
   * attempt that fails is dropped, so the next reader tries again.
   */
  private async listen(): Promise<void> {
    const subscriber = this.redis.duplicate({
      connectionName: 'tempmessenger-events',
      keyPrefix: '',
      lazyConnect: true,
    });
    subscriber.on('error', (error: Error) =>
      this.logger.debug(`Message event subscriber: ${error.message}`),
    );
    subscriber.on('message', (_channel: string, payload: string) => this.deliver(payload));
    // Pub/sub keeps nothing: what was published while the subscriber was away is gone for it.
    let connectedBefore = false;
    subscriber.on('ready', () => {
      if (connectedBefore) for (const onGap of this.gapListeners) onGap();
      connectedBefore = true;
    });
    try {
      await subscriber.connect();
      await subscriber.subscribe(this.channel);
    } catch (error) {
      subscriber.disconnect();
      throw error;
    }
    this.subscriber = subscriber;
  }

  /** Runs in ioredis' event handler: a bad payload or a failing listener is logged, never thrown. */
  private deliver(payload: string): void {
    let published: PublishedMessageEvent;
    try {
      const space = payload.indexOf(' ');
      published = { id: payload.slice(0, space), event: fromWire(payload.slice(space + 1)) };
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

function toWire(event: MessageEvent): WireEvent {
  if (event.type === 'message.deleted') return event;
  return { type: event.type, message: toRecord(event.message) };
}

function fromWire(json: string): MessageEvent {
  const wire = JSON.parse(json) as WireEvent;
  if (wire.type === 'message.deleted') return { type: wire.type, id: wire.id };
  return { type: wire.type, message: fromRecord(wire.message) };
}
