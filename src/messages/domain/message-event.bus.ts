import type { MessageEvent, MessageEventListener, PublishedMessageEvent } from './message-event';

/** Carries message events to the live readers of every instance of the service. */
export abstract class MessageEventBus {
  /** Resolves once the event is on its way to every instance's listeners. */
  abstract publish(event: MessageEvent): Promise<void>;
  /**
   * Calls the listener for each event published, on any instance, once the returned promise has
   * resolved (to the unsubscribe function). `onGap` is called when events may have been missed
   * (the bus lost its connection and has it back): readers should start over from what is held.
   */
  abstract subscribe(listener: MessageEventListener, onGap?: () => void): Promise<() => void>;
  /**
   * The events published after the one with `eventId`, oldest first; null when that event is no
   * longer held (or never was), so the reader cannot know what it missed.
   */
  abstract eventsAfter(eventId: string): Promise<PublishedMessageEvent[] | null>;
}
