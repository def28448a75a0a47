import type { Message } from './message';

/** What live readers are told. Expiry needs no event: readers drop a message at its `expiresAt`. */
export type MessageEvent =
  | { readonly type: 'message.created'; readonly message: Message }
  | { readonly type: 'message.deleted'; readonly id: string };

/** An event as the bus delivered it: `id` orders events and lets a reader resume after one. */
export interface PublishedMessageEvent {
  readonly id: string;
  readonly event: MessageEvent;
}

/**
 * An event as the bus keeps it for resuming: the message's id, never its text or author, so the
 * log holds nothing of a message once it has expired or been deleted.
 */
export interface LoggedMessageEvent {
  readonly id: string;
  readonly type: MessageEvent['type'];
  readonly messageId: string;
}

export type MessageEventListener = (published: PublishedMessageEvent) => void;

/**
 * Whether the event `id` came after `other`. Ids are a number or two joined by `-` (Redis stream
 * ids, `<ms>-<seq>`), ordered as number pairs; compared as BigInts, since a sequence may pass 2^53.
 */
export function isLaterEvent(id: string, other: string): boolean {
  const [time, sequence] = eventIdParts(id);
  const [otherTime, otherSequence] = eventIdParts(other);
  return time === otherTime ? sequence > otherSequence : time > otherTime;
}

function eventIdParts(id: string): [bigint, bigint] {
  const [time, sequence = '0'] = id.split('-');
  return [BigInt(time), BigInt(sequence)];
}
