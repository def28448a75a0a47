import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { EventBuffer, Session } from 'better-sse';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../common/config';
import { HttpProblem, ServiceUnavailableError } from '../../common/errors';
import { clientAddressKey } from '../../common/http';
import { Metrics } from '../../common/metrics';
import { Clock } from '../../common/time';
import { MessagesService } from '../application/messages.service';
import { isLaterEvent, type PublishedMessageEvent } from '../domain/message-event';
import { toMessageResponse } from './dto/message.response';
import { StreamSlots } from './stream-slots';

/** A comment this often keeps proxies and browsers from closing an idle stream. */
export const STREAM_HEARTBEAT_MS = 15_000;
/** How long a browser waits before reconnecting a dropped stream. */
const STREAM_RETRY_MS = 3_000;
/**
 * A stream whose client stops reading is dropped once this much waits unsent, rather than let
 * events pile up in memory; its browser reconnects and resumes with Last-Event-ID.
 */
const MAX_UNSENT_BYTES = 256 * 1024;
/** A slot frees only when one of the address's streams ends, at no known time. */
const ADDRESS_FULL_RETRY_AFTER_SECONDS = 30;
/** The `limiter` label of SSE_MAX_CLIENTS_PER_IP's refusals, beside the rate limiters' names. */
const STREAMS_PER_ADDRESS_LIMITER = 'streams-per-address';

/** An event as written on the wire, built once for every stream that sends it. */
interface EventFrame {
  readonly id: string;
  readonly buffer: EventBuffer;
}

interface StreamState {
  readonly response: ServerResponse;
  /** Live events held while the stream replays what it missed; null once it is live. */
  backlog: EventFrame[] | null;
  /**
   * The client has every event up to this id, from the replay or in the list a resync makes it
   * re-read. The bus may still deliver some of them (a subscription lags behind the log), and
   * they are not sent twice. Null from the first live event past it on, as the bus keeps order.
   */
  hasUpTo: string | null;
  ageLimit?: NodeJS.Timeout;
}

/**
 * The open message streams of this instance: each event the bus delivers (from any instance) is
 * pushed to every stream. At most SSE_MAX_CLIENTS streams are open at once, and
 * SSE_MAX_CLIENTS_PER_IP per client address; a stream leaves when its client disconnects, when it
 * reaches SSE_MAX_STREAM_AGE, and when the application shuts down.
 */
@Injectable()
export class MessageStreamHub implements BeforeApplicationShutdown {
  private readonly sessions = new Set<Session<StreamState>>();
  private readonly slots: StreamSlots;
  private watching: Promise<unknown> | null = null;
  private closing = false;

  constructor(
    private readonly messages: MessagesService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    this.slots = new StreamSlots(config.sseMaxClients, config.sseMaxClientsPerIp);
    metrics.readSseClientsFrom(() => this.openStreams);
  }

  get openStreams(): number {
    return this.sessions.size;
  }

  /** Answers the request with a stream, or throws (answered as an error) before any byte is sent. */
  async open(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (this.closing) {
      throw new HttpProblem(503, 'SERVICE_UNAVAILABLE', 'The service is shutting down.');
    }
    const address = clientAddressKey(request);
    const refusal = this.slots.take(address);
    if (refusal === 'instance-full') {
      throw new HttpProblem(
        503,
        'TOO_MANY_STREAMS',
        'Too many open message streams. Please retry shortly.',
      );
    }
    if (refusal === 'address-full') {
      this.metrics.throttled(STREAMS_PER_ADDRESS_LIMITER);
      // The error answer is sent on this reply, so it keeps the header.
      reply.header('Retry-After', String(ADDRESS_FULL_RETRY_AFTER_SECONDS));
      throw new HttpProblem(
        429,
        'TOO_MANY_STREAMS',
        'Too many open message streams from this address. Please close one first.',
      );
    }
    let session: Session<StreamState>;
    try {
      await this.watch();
      reply.hijack();
      // The client may have left while the subscription was made: its close events are past,
      // and a session made now would hold a slot for ever.
      if (request.raw.destroyed || reply.raw.destroyed || this.closing) {
        reply.raw.destroy();
        this.slots.release(address);
        return;
      }
      session = new Session<StreamState>(request.raw, reply.raw, {
        keepAlive: STREAM_HEARTBEAT_MS,
        retry: STREAM_RETRY_MS,
        // Read below, from the header or the query, whichever the client could send.
        trustClientEventId: false,
        // Headers set through Fastify (X-Request-Id, CORS) are not on the raw response yet.
        headers: reply.getHeaders() as Record<string, string>,
        state: { response: reply.raw, backlog: [], hasUpTo: null },
      });
    } catch (error) {
      this.slots.release(address);
      throw error;
    }
    this.sessions.add(session);
    session.once('disconnected', () => {
      clearTimeout(session.state.ageLimit);
      this.sessions.delete(session);
      this.slots.release(address);
    });
    await once(session, 'connected');
    if (session.isConnected) {
      // Every event sent carries its id, so the client resumes from the last one, missing none.
      session.state.ageLimit = setTimeout(
        () => session.state.response.end(),
        this.config.sseMaxStreamAgeMs,
      ).unref();
    }
    await this.catchUp(session, lastEventIdOf(request));
  }

  beforeApplicationShutdown(): void {
    // Open streams would keep the HTTP server from closing; one not yet started has no head to
    // end with, so its socket is closed instead.
    this.closing = true;
    for (const session of this.sessions) {
      if (session.isConnected) session.state.response.end();
      else session.state.response.destroy();
    }
  }

  /** One subscription for the whole instance, made by the first stream. */
  private watch(): Promise<unknown> {
    this.watching ??= this.messages
      .watch(
        (published) => this.broadcast(published),
        () => this.restartStreams(),
      )
      .catch((error: unknown) => {
        this.watching = null;
        throw error;
      });
    return this.watching;
  }

  /**
   * Replays what the client missed since its last event id, or, when that id cannot be resumed
   * from (unknown, malformed, too old), sends one `resync` so that the client re-reads the list.
   * Then the live events that arrived meanwhile, skipping those the client has already. When the
   * log cannot be read (Redis is away), the stream ends with nothing sent: its client retries
   * with the same last event id, where a resync would have made it lose its place.
   */
  private async catchUp(session: Session<StreamState>, lastEventId: string | null): Promise<void> {
    let past: EventFrame[] = [];
    if (lastEventId !== null) {
      try {
        const replay = await this.messages.eventsAfter(lastEventId);
        if (replay) {
          past = replay.events.map((published) => this.frameOf(published));
          session.state.hasUpTo = replay.upTo;
        } else {
          const newest = await this.messages.newestEventId();
          past = [resyncFrame(newest)];
          session.state.hasUpTo = newest;
        }
      } catch (error) {
        session.state.response.end();
        if (error instanceof ServiceUnavailableError) return;
        throw error;
      }
    }
    const backlog = session.state.backlog ?? [];
    session.state.backlog = null;
    for (const frame of past) this.write(session, frame);
    for (const frame of backlog) this.sendLive(session, frame);
  }

  /**
   * Events may have been missed: every stream is ended, so its client reconnects with its
   * Last-Event-ID and gets what the bus still holds (the page also re-reads the list).
   */
  private restartStreams(): void {
    for (const session of this.sessions) {
      if (session.isConnected) session.state.response.end();
    }
  }

  private broadcast(published: PublishedMessageEvent): void {
    if (this.sessions.size === 0) return;
    const frame = this.frameOf(published);
    for (const session of this.sessions) {
      if (session.state.backlog) session.state.backlog.push(frame);
      else this.sendLive(session, frame);
    }
  }

  private sendLive(session: Session<StreamState>, frame: EventFrame): void {
    const { hasUpTo } = session.state;
    if (hasUpTo !== null) {
      if (!isLaterEvent(frame.id, hasUpTo)) return;
      session.state.hasUpTo = null;
    }
    this.write(session, frame);
  }

  private frameOf({ id, event }: PublishedMessageEvent): EventFrame {
    const data =
      event.type === 'message.created'
        ? toMessageResponse(event.message, this.clock.now())
        : { id: event.id };
    return { id, buffer: new EventBuffer().push(data, event.type, id) };
  }

  /** Nothing is written once the stream is ending or its client has gone. */
  private write(session: Session<StreamState>, { buffer }: EventFrame): void {
    const { response } = session.state;
    if (!session.isConnected || response.writableEnded || response.destroyed) return;
    void session.batch(buffer);
    if (response.writableLength > MAX_UNSENT_BYTES) response.destroy();
  }
}

/**
 * Carries the newest event's id (an empty id when there is none), so that the client, once it
 * has re-read the list, resumes from there.
 */
function resyncFrame(newestEventId: string | null): EventFrame {
  const id = newestEventId ?? '';
  return { id, buffer: new EventBuffer().push({}, 'resync', id) };
}

/** The id to resume after: the header, or `?lastEventId=` for clients that cannot set headers. */
function lastEventIdOf(request: FastifyRequest): string | null {
  const header = request.headers['last-event-id'];
  const given = header ?? (request.query as Record<string, unknown> | undefined)?.lastEventId;
  if (given === undefined || given === '') return null;
  // A repeated query parameter joins into an id no log holds: it gets a resync.
  return Array.isArray(given) ? given.join(',') : String(given);
}
