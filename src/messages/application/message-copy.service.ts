import { Injectable } from '@nestjs/common';
import type { PagePosition } from '../../common/pagination';
import { type CopyOutcome, MessageStore } from '../domain/message.store';

/** How many messages of each outcome a copy met: every live message of the source, once. */
export type MessageCopyReport = Readonly<Record<CopyOutcome, number>>;

/** Messages read from the source at a time, and copied at once. */
const PAGE_SIZE = 500;

/**
 * Copies the live messages of another store (the Redis the service moves from) into the
 * service's own, each as it is, so the board here lists what the board there did. Running it
 * again copies what was posted there meanwhile, and nothing twice (see `MessageStore.putCopy`).
 */
@Injectable()
export class MessageCopyService {
  constructor(private readonly store: MessageStore) {}

  async copyFrom(source: MessageStore): Promise<MessageCopyReport> {
    const report: Record<CopyOutcome, number> = {
      copied: 0,
      expired: 0,
      'already-here': 0,
      'author-deleted': 0,
    };
    let after: PagePosition | null = null;
    do {
      const page = await source.listPage(PAGE_SIZE, after);
      // A page's copies all at once: the order here is the messages' expiry, not the copying's.
      const outcomes = await Promise.all(page.items.map((message) => this.store.putCopy(message)));
      for (const outcome of outcomes) report[outcome] += 1;
      after = page.next;
    } while (after);
    return report;
  }
}
