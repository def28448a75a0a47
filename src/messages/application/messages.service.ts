import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../common/config';
import { UnitOfWork } from '../../common/database';
import { ValidationFailedError } from '../../common/errors';
import { Metrics } from '../../common/metrics';
import type { RequestPrincipal } from '../../auth';
import { epochCursor } from '../../common/pagination';
import { RateLimiter, RateLimiterFactory } from '../../common/rate-limit';
import { type UserAccount, type UserLifecycleListener, UsersService } from '../../users';
import { type Message, MESSAGE_LENGTH_RULE, normalizeMessageText } from '../domain/message';
import {
  AuthorDeletedError,
  MessageDeleteForbiddenError,
  MessageNotFoundError,
} from '../domain/message.errors';
import type {
  MessageEvent,
  MessageEventListener,
  PublishedMessageEvent,
} from '../domain/message-event';
import { MessageEventBus } from '../domain/message-event.bus';
import { type MessageDraft, MessageStore } from '../domain/message.store';
import { canonicalUuid } from '../../common/validation';

export interface MessageListPage {
  readonly items: Message[];
  readonly nextCursor: string | null;
}

/** What a reader resuming after an event is sent. */
export interface MessageEventReplay {
  /** Oldest first; a creation only while its message is live, as the store has it now. */
  readonly events: PublishedMessageEvent[];
  /**
   * The newest event id the log held when read (left-out events count), or the id resumed from
   * when nothing followed it: the reader has everything up to here.
   */
  readonly upTo: string;
}

/** The messages module's use cases; anyone reads, signed-in users post. */
@Injectable()
export class MessagesService implements OnModuleInit, UserLifecycleListener {
  private readonly logger = new Logger('MessagesService');
  private readonly postLimit: RateLimiter;

  constructor(
    private readonly store: MessageStore,
    private readonly events: MessageEventBus,
    private readonly users: UsersService,
    private readonly unitOfWork: UnitOfWork,
    private readonly config: AppConfig,
    rateLimiters: RateLimiterFactory,
    private readonly metrics: Metrics,
  ) {
    this.postLimit = rateLimiters.create(
      { name: 'message-posts', points: config.messages.postLimit, durationSeconds: 60 },
      'Too many messages. Please wait before posting again.',
    );
  }

  onModuleInit(): void {
    this.users.addLifecycleListener(this);
  }

  /**
   * The author is the caller's account as the access check read it, never the request body: no
   * read of its own. An author deleted since is refused by the store's tombstone (see
   * `postPastTombstone`), and a deletion that comes later takes the message with it.
   */
  async post(author: UserAccount, text: string, ttlSeconds?: number): Promise<Message> {
    const normalized = normalizeMessageText(text);
    if (normalized === null) {
      throw new ValidationFailedError([
        { field: 'message', messages: [`message must be ${MESSAGE_LENGTH_RULE}`] },
      ]);
    }
    const ttl = ttlSeconds ?? this.config.messages.defaultTtlSeconds;
    const maxTtl = this.config.messages.maxTtlSeconds;
    if (ttl > maxTtl) {
      throw new ValidationFailedError([
        { field: 'ttlSeconds', messages: [`ttlSeconds must not be greater than ${maxTtl}`] },
      ]);
    }
    await this.postLimit.consume(author.id);
    const draft: MessageDraft = {
      id: randomUUID(),
      text: normalized,
      authorId: author.id,
      authorEmail: author.email,
      ttlSeconds: ttl,
    };
    const message = (await this.store.post(draft)) ?? (await this.postPastTombstone(draft));
    this.metrics.messagePosted();
    await this.announce({ type: 'message.created', message });
    return message;
  }

  async list(limit: number, cursor: string | undefined): Promise<MessageListPage> {
    const page = await this.store.listPage(
      limit,
      cursor === undefined ? null : epochCursor.decode(cursor),
    );
    return { items: page.items, nextCursor: page.next ? epochCursor.encode(page.next) : null };
  }

  async get(id: string): Promise<Message> {
    const key = canonicalUuid(id);
    const message = key ? await this.store.findById(key) : null;
    if (!message) throw new MessageNotFoundError();
    return message;
  }

  async delete(caller: RequestPrincipal, id: string): Promise<void> {
    const message = await this.get(id);
    if (!message.canBeDeletedBy(caller.userId, caller.role))
      throw new MessageDeleteForbiddenError();
    if (!(await this.store.delete(message.id))) throw new MessageNotFoundError();
    await this.announce({ type: 'message.deleted', id: message.id });
  }

  /** Live events from every instance, from when it resolves (to the unsubscribe). */
  watch(listener: MessageEventListener, onGap?: () => void): Promise<() => void> {
    return this.events.subscribe(listener, onGap);
  }

  /**
   * The events after `eventId`, to resume a stream; null when the log does not hold that event.
   * The log keeps ids only: each creation is read again from the store, so a message that has
   * expired or been deleted since is not sent, and a live one is sent as it is now.
   */
  async eventsAfter(eventId: string): Promise<MessageEventReplay | null> {
    const logged = await this.events.eventsAfter(eventId);
    if (!logged) return null;
    const live = await this.store.findByIds(
      logged.filter(({ type }) => type === 'message.created').map(({ messageId }) => messageId),
    );
    const byId = new Map(live.map((message) => [message.id, message]));
    const events = logged.flatMap(({ id, type, messageId }): PublishedMessageEvent[] => {
      if (type === 'message.deleted') return [{ id, event: { type, id: messageId } }];
      const message = byId.get(messageId);
      return message ? [{ id, event: { type, message } }] : [];
    });
    return { events, upTo: logged.at(-1)?.id ?? eventId };
  }

  /** The newest event's id, for a reader to resume from after re-reading the list. */
  newestEventId(): Promise<string | null> {
    return this.events.newestEventId();
  }

  /**
   * Inside the transaction that deletes the account: its messages go, and its tombstone refuses
   * any post of it still under way (one that read the account a moment before). The tombstone
   * lasts as long as the longest message may: a post delayed past that is not a race any more.
   * A failure aborts the deletion.
   */
  async userDeleted(userId: string): Promise<void> {
    const tombstoneMs = this.config.messages.maxTtlSeconds * 1000;
    const ids = await this.store.deleteByAuthor(userId, tombstoneMs);
    this.logger.log(
      { event: 'messages.deleted_with_account', userId, deleted: ids.length },
      'Deleted the messages of a deleted account',
    );
    await Promise.all(ids.map((id) => this.announce({ type: 'message.deleted', id })));
  }

  /**
   * The store refused the post for the author's tombstone: its account is being deleted, or a
   * deletion that left the tombstone was rolled back. PostgreSQL decides, under a share lock of
   * the user's row, which a deletion holds for update until it commits or rolls back.
   */
  private postPastTombstone(draft: MessageDraft): Promise<Message> {
    return this.unitOfWork.run(async () => {
      if (!(await this.users.lockAccount(draft.authorId))) throw new AuthorDeletedError();
      await this.store.removeTombstone(draft.authorId);
      // Under the lock no deletion can leave a new tombstone.
      return (await this.store.post(draft)) ?? Promise.reject(new AuthorDeletedError());
    });
  }

  /**
   * Tells live readers, after the store has the change. The change stands even when the
   * announcement fails: readers catch up from the listing (the page polls when its stream fails).
   */
  private async announce(event: MessageEvent): Promise<void> {
    try {
      await this.events.publish(event);
    } catch (error) {
      this.logger.warn(
        { event: 'messages.announce_failed', type: event.type, err: (error as Error).message },
        'Could not announce a message event',
      );
    }
  }
}
