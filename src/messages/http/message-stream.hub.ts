import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { Session } from 'better-sse';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../common/config/app-config';
import { HttpProblem } from '../../common/errors/http-problem';
import { Clock } from '../../common/time/clock';
import { MessagesService } from '../application/messages.service';
import type { PublishedMessageEvent } from '../domain/message-event';
import { toMessageResponse } from './dto/message.response';

/** A comment this often keeps proxies and browsers from closing an idle stream. */
export const STREAM_HEARTBEAT_MS = 15_000;
/** How long a browser waits before reconnecting a dropped stream. */
const STREAM_RETRY_MS = 3_000;
/**
 * A stream whose client stops reading is dropped once this much waits unsent, rather than let
 * events pile up in memory; its browser reconnects and resumes with Last-Event-ID.
 */
const MAX_UNSENT_BYTES = 256 * 1024;

interface StreamState {
  readonly response: ServerResponse;
  /** Live events held while the stream replays what it missed; null once it is live. */
  backlog: PublishedMessageEvent[] | null;
}

/**
 * The open message streams of this instance: each event the bus delivers (from any instance) is
 * pushed to every stream. At most SSE_MAX_CLIENTS streams are open at once; a stream leaves when
 * its client disconnects, and every stream is ended when the application shuts down.
 */
@Injectable()
export class MessageStreamHub implements BeforeApplicationShutdown {
  private readonly sessions = new Set<Session<StreamState>>();
  /** Streams admitted but not yet open, so that concurrent requests cannot overshoot the cap. */
  private opening = 0;
  private watching: Promise<unknown> | null = null;
  private closing = false;

  constructor(
    private readonly messages: MessagesService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  get openStreams(): number {
    return this.sessions.size;
  }

  /** Answers the request with a stream, or throws (answered as an error) before any byte is sent. */
  async open(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (this.closing) {
      throw new HttpProblem(503, 'SERVICE_UNAVAILABLE', 'The service is shutting down.');
    }
    if (this.sessions.size + this.opening >= this.config.sseMaxClients) {
      throw new HttpProblem(
        503,
        'TOO_MANY_STREAMS',
        'Too many open message streams. Please retry shortly.',
      );
    }
    this.opening++;
    let session: Session<StreamState>;
    try {
      await this.watch();
      reply.hijack();
      // The client may have left while the subscription was made: its close events are past,
      // and a session made now would hold a slot for ever.
      if (request.raw.destroyed || reply.raw.destroyed || this.closing) {
        reply.raw.destroy();
        return;
      }
      session = new Session<StreamState>(request.raw, reply.raw, {
        keepAlive: STREAM_HEARTBEAT_MS,
        retry: STREAM_RETRY_MS,
        // Headers set through Fastify (X-Request-Id, CORS) are not on the raw response yet.
        headers: reply.getHeaders() as Record<string, string>,
        state: { response: reply.raw, backlog: [] },
      });
      this.sessions.add(session);
    } finally {
      this.opening--;
    }
    session.once('disconnected', () => this.sessions.delete(session));
    await once(session, 'connected');
    await this.catchUp(session);
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
   * Replays what the client missed since its Last-Event-ID (when the bus still holds it), then
   * the live events that arrived meanwhile, skipping those the replay already sent.
   */
  private async catchUp(session: Session<StreamState>): Promise<void> {
    const missed = session.lastId
      ? ((await this.messages.eventsAfter(session.lastId).catch(() => null)) ?? [])
      : [];
    const replayed = new Set(missed.map((published) => published.id));
    const backlog = session.state.backlog ?? [];
    session.state.backlog = null;
    for (const published of missed) this.send(session, published);
    for (const published of backlog) {
      if (!replayed.has(published.id)) this.send(session, published);
    }
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
    for (const session of this.sessions) {
      if (session.state.backlog) session.state.backlog.push(published);
      else this.send(session, published);
    }
  }

  private send(session: Session<StreamState>, { id, event }: PublishedMessageEvent): void {
    if (!session.isConnected) return;
    const data =
      event.type === 'message.created'
        ? toMessageResponse(event.message, this.clock.now())
        : { id: event.id };
    session.push(data, event.type, id);
    if (session.state.response.writableLength > MAX_UNSENT_BYTES) session.state.response.destroy();
  }
}
