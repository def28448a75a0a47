import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { loggableError } from '../../common/logging';
import type { Message } from '../domain/message';
import { MessageEventBus } from '../domain/message-event.bus';

/**
 * Bound of the cache, in estimated bytes: a message's two strings counted at two bytes a
 * character, and a fixed share for its ids, dates, formatted times and the cache's own entry and
 * timer. An estimate, not a measure; the first pages of the listing, which every reader asks for,
 * fit many times over.
 */
const MAX_BYTES = 4 * 1024 * 1024;
const FIXED_BYTES_PER_MESSAGE = 600;
/** After a failed subscription, how long the cache holds nothing before it tries again. */
const RESUBSCRIBE_AFTER_MS = 30_000;

/**
 * Messages this instance has listed, kept so that the next listing reads only the bodies it has
 * not seen. A message never changes and its id is never reused, so a copy held is the message as
 * it is. The cache never decides what is live: the listing script names the live ids each time,
 * and only their bodies come from here.
 *
 * It holds messages only while it hears deletions: an entry goes when any instance announces the
 * message's deletion, all go when the bus may have missed events, and until the subscription
 * holds (or for a while after it failed) nothing is kept. An entry also goes at the message's
 * expiry, by this instance's clock, with a timer rather than at the next read. A deletion whose
 * event arrives before the body read that raced it leaves the copy until its expiry; it is never
 * listed again, since the script no longer names it.
 */
@Injectable()
export class ListedMessageCache implements OnApplicationShutdown {
  private readonly logger = new Logger('ListedMessageCache');
  private readonly messages = new LRUCache<string, Message>({
    maxSize: MAX_BYTES,
    sizeCalculation: (message) =>
      2 * (message.text.length + message.authorEmail.length) + FIXED_BYTES_PER_MESSAGE,
    ttlAutopurge: true,
  });
  private subscription: 'none' | 'pending' | 'held' | 'closed' = 'none';
  private unsubscribe: (() => void) | null = null;
  private resubscribeAt = 0;

  constructor(private readonly events: MessageEventBus) {}

  get(id: string): Message | undefined {
    return this.messages.get(id);
  }

  /** Keeps the message, if deletions are heard; the first call subscribes to them. */
  remember(message: Message): void {
    if (!this.hearsDeletions()) return;
    const ttl = message.expiresAt.getTime() - Date.now();
    if (ttl > 0) this.messages.set(message.id, message, { ttl });
  }

  forget(id: string): void {
    this.messages.delete(id);
  }

  get size(): number {
    return this.messages.size;
  }

  onApplicationShutdown(): void {
    this.subscription = 'closed';
    this.unsubscribe?.();
    this.messages.clear();
  }

  /** Subscribes on first use: an instance that never lists holds no subscription for it. */
  private hearsDeletions(): boolean {
    if (this.subscription === 'none' && Date.now() >= this.resubscribeAt) this.subscribe();
    return this.subscription === 'held';
  }

  private subscribe(): void {
    this.subscription = 'pending';
    this.events
      .subscribe(
        ({ event }) => {
          if (event.type === 'message.deleted') this.forget(event.id);
        },
        () => this.messages.clear(),
      )
      .then(
        (unsubscribe) => {
          if (this.subscription === 'closed') return unsubscribe();
          this.subscription = 'held';
          this.unsubscribe = unsubscribe;
        },
        (error: unknown) => {
          if (this.subscription === 'closed') return;
          this.subscription = 'none';
          this.resubscribeAt = Date.now() + RESUBSCRIBE_AFTER_MS;
          this.logger.warn(
            { err: loggableError(error) },
            'Could not watch message deletions: listing reads every body for now',
          );
        },
      );
  }
}
