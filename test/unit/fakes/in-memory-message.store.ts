import type { PagePosition } from '../../../src/common/pagination';
import type { Clock } from '../../../src/common/time/clock';
import { Message, type MessageProps } from '../../../src/messages/domain/message';
import {
  type CopyOutcome,
  type MessageDraft,
  type MessagePage,
  MessageStore,
} from '../../../src/messages/domain/message.store';

/** Listing order: soonest to expire first, then by id. */
function compare(a: PagePosition, b: PagePosition): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const positionOf = (row: MessageProps): PagePosition => ({
  at: row.expiresAt.getTime(),
  id: row.id,
});

/** Messages in a Map, dated and expired by the injected clock, like Redis with its own clock. */
export class InMemoryMessageStore extends MessageStore {
  /** Every stored row, expired ones included until something deletes them. */
  readonly rows = new Map<string, MessageProps>();
  /** Authors whose posts are refused, with the time (ms) their tombstone lasts until. */
  readonly tombstones = new Map<string, number>();
  /** Ids copied in from another store, with the time (ms) they would expire. */
  readonly copied = new Map<string, number>();

  constructor(private readonly clock: Clock) {
    super();
  }

  async post(draft: MessageDraft): Promise<Message | null> {
    const createdAt = this.clock.now();
    if (this.hasTombstone(draft.authorId, createdAt.getTime())) return null;
    const row: MessageProps = {
      id: draft.id,
      text: draft.text,
      authorId: draft.authorId,
      authorEmail: draft.authorEmail,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + draft.ttlSeconds * 1000),
    };
    this.rows.set(row.id, row);
    return Message.restore(row);
  }

  async findById(id: string): Promise<Message | null> {
    const row = this.liveRow(id);
    return row ? Message.restore(row) : null;
  }

  async findByIds(ids: readonly string[]): Promise<Message[]> {
    return ids.flatMap((id) => {
      const row = this.liveRow(id);
      return row ? [Message.restore(row)] : [];
    });
  }

  async listPage(limit: number, after: PagePosition | null): Promise<MessagePage> {
    const rest = this.liveRows()
      .sort((a, b) => compare(positionOf(a), positionOf(b)))
      .filter((row) => !after || compare(positionOf(row), after) > 0);
    const items = rest.slice(0, limit).map((row) => Message.restore(row));
    const last = items.at(-1);
    return {
      items,
      next: rest.length > limit && last ? { at: last.expiresAt.getTime(), id: last.id } : null,
    };
  }

  async delete(id: string): Promise<boolean> {
    const live = this.liveRow(id) !== null;
    this.rows.delete(id);
    return live;
  }

  async deleteByAuthor(authorId: string, tombstoneMs: number): Promise<string[]> {
    const live: string[] = [];
    const now = this.clock.now().getTime();
    for (const row of [...this.rows.values()]) {
      if (row.authorId !== authorId) continue;
      if (row.expiresAt.getTime() > now) live.push(row.id);
      this.rows.delete(row.id);
    }
    this.tombstones.set(authorId, now + tombstoneMs);
    return live;
  }

  async removeTombstone(authorId: string): Promise<void> {
    this.tombstones.delete(authorId);
  }

  async putCopy(message: Message): Promise<CopyOutcome> {
    const now = this.clock.now().getTime();
    const expiresAt = message.expiresAt.getTime();
    if (expiresAt <= now) return 'expired';
    if (this.liveRow(message.id) || (this.copied.get(message.id) ?? 0) > now) return 'already-here';
    if (this.hasTombstone(message.authorId, now)) return 'author-deleted';
    const { id, text, authorId, authorEmail, createdAt } = message;
    this.rows.set(id, { id, text, authorId, authorEmail, createdAt, expiresAt: message.expiresAt });
    this.copied.set(id, expiresAt);
    return 'copied';
  }

  private hasTombstone(authorId: string, now: number): boolean {
    return (this.tombstones.get(authorId) ?? 0) > now;
  }

  private liveRows(): MessageProps[] {
    const now = this.clock.now().getTime();
    return [...this.rows.values()].filter((row) => row.expiresAt.getTime() > now);
  }

  private liveRow(id: string): MessageProps | null {
    const row = this.rows.get(id);
    return row && row.expiresAt.getTime() > this.clock.now().getTime() ? row : null;
  }
}
