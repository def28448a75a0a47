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

export type MessageEventListener = (published: PublishedMessageEvent) => void;
