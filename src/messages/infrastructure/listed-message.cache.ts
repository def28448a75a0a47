import { Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Message } from '../domain/message';
import { loggableError } from '../../common/logging';
import { MessageEventBus } from '../domain/message-event.bus';

/**
 * Bound of the cache, in estimated bytes: a message's two strings (UTF-16) and a fixed share for
 * its ids, dates and the cache's own entry. The first pages of the listing, which every reader
 * asks for, fit many times over.
 */
const MAX_BYTES = 4 * 1024 * 1024;
const FIXED_BYTES_PER_MESSAGE = 400;

/**
 * Messages this instance has listed, kept so that the next listing reads only the bodies it has
 * not seen. A message never changes and its id is never reused, so a copy held is the message as
 * it is. The cache never decides what is live: the listing script names the live ids each time,
 * and only their bodies come from here.
 *
 * Nothing stays past its time: an entry goes at the message's expiry (a timer, not at the next
 * read), when a deletion is announced on any instance, and all at once when the bus may have
 * missed events. A deletion whose event arrives before the body read that raced it leaves the
 * copy until its expiry; it is never listed again, since the script no longer names it.
 */
@Injectable()
export class ListedMessageCache {
  private readonly logger = new Logger('ListedMessageCache');
  private readonly messages = new LRUCache<string, Message>({
    maxSize: MAX_BYTES,
    sizeCalculation: (message) =>
      2 * (message.text.length + message.authorEmail.length) + FIXED_BYTES_PER_MESSAGE,
    ttlAutopurge: true,
  });
  private watching: Promise<unknown> | null = null;

  constructor(private readonly events: MessageEventBus) {}

  get(id: string): Message | undefined {
    return this.messages.get(id);
  }

  remember(message: Message): void {
    const ttl = message.expiresAt.getTime() - Date.now();
    if (ttl <= 0) return;
    this.watchDeletions();
    this.messages.set(message.id, message, { ttl });
  }

  forget(id: string): void {
    this.messages.delete(id);
  }

  get size(): number {
    return this.messages.size;
  }

  /** Subscribes on first use: an instance that never lists holds no subscription for it. */
  private watchDeletions(): void {
    this.watching ??= this.events
      .subscribe(
        ({ event }) => {
          if (event.type === 'message.deleted') this.forget(event.id);
        },
        () => this.messages.clear(),
      )
      // Deletions announced before the subscription held were not heard.
      .then(() => this.messages.clear())
      .catch((error: unknown) => {
        // The next listing tries again; until then entries still go at their expiry.
        this.watching = null;
        this.logger.warn({ err: loggableError(error) }, 'Could not watch message deletions');
      });
  }
}
