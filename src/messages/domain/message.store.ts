import type { PagePosition } from '../../common/pagination/page-position';
import type { Message } from './message';

export interface MessagePage {
  readonly items: Message[];
  /** Where the next page starts, by expiry; null on the last page. */
  readonly next: PagePosition | null;
}

export interface MessageDraft {
  readonly id: string;
  readonly text: string;
  readonly authorId: string;
  readonly authorEmail: string;
  readonly ttlSeconds: number;
}

/**
 * What `putCopy` did with a message copied from another store: stored it, or not because it had
 * expired, was here already (or had been copied here and deleted since), or its author has a
 * tombstone.
 */
export type CopyOutcome = 'copied' | 'expired' | 'already-here' | 'author-deleted';

/**
 * Live messages. Every operation costs the same however many messages are live, apart from the
 * page size, and a message disappears by itself at its expiry.
 */
export abstract class MessageStore {
  /**
   * Stores the message and its place in the listing in one step; the store's clock dates it.
   * Null, storing nothing, while the author has a tombstone (see `deleteByAuthor`).
   */
  abstract post(draft: MessageDraft): Promise<Message | null>;
  abstract findById(id: string): Promise<Message | null>;
  /** The live messages among these ids, in their order; the others are left out. */
  abstract findByIds(ids: readonly string[]): Promise<Message[]>;
  /** Live messages after `after` (exclusive), soonest to expire first. */
  abstract listPage(limit: number, after: PagePosition | null): Promise<MessagePage>;
  /** Returns false when the message was already gone. */
  abstract delete(id: string): Promise<boolean>;
  /**
   * Deletes every live message of the author and, in the same step, leaves a tombstone that
   * refuses its posts for `tombstoneMs`, so a post already under way cannot land after the
   * deletion. Returns the deleted ids.
   */
  abstract deleteByAuthor(authorId: string, tombstoneMs: number): Promise<string[]>;
  /** Lets the author post again: the deletion that left its tombstone did not happen. */
  abstract removeTombstone(authorId: string): Promise<void>;
  /**
   * Puts a message read from another store as it is (id, text, author, both times), in the
   * listing as if it had been posted here; it vanishes at its `expiresAt` by this store's clock.
   * Stores nothing when it has expired by that clock, while its author has a tombstone, or when
   * this store holds it or copied it in before: a copy deleted here is not brought back while it
   * would still be live.
   */
  abstract putCopy(message: Message): Promise<CopyOutcome>;
}
