import type { MessageEvent, MessageEventListener, PublishedMessageEvent } from './message-event';

/** Carries message events to the live readers of every instance of the service. */
export abstract class MessageEventBus {
  /** Resolves once the event is on its way to every instance's listeners. */
  abstract publish(event: MessageEvent): Promise<void>;
  /**
   * Calls the listener for each event published, on any instance, once the returned promise has
   * resolved (to the unsubscribe function).
   */
  abstract subscribe(listener: MessageEventListener): Promise<() => void>;
  /**
   * The events published after the one with `eventId`, oldest first; null when that event is no
   * longer held (or never was), so the reader cannot know what it missed.
   */
  abstract eventsAfter(eventId: string): Promise<PublishedMessageEvent[] | null>;
}
