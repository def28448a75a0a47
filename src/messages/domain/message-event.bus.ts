import type { LoggedMessageEvent, MessageEvent, MessageEventListener } from './message-event';

/**
 * Carries message events to the live readers of every instance of the service, and keeps a log
 * of the recent ones (ids only) for readers that resume after an event.
 */
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
   * The logged events after the one with `eventId`, oldest first; null when the log does not
   * hold that event (never did, or no longer does), so the reader cannot know what it missed.
   */
  abstract eventsAfter(eventId: string): Promise<LoggedMessageEvent[] | null>;
  /** The id of the newest logged event, a point to resume from; null when the log is empty. */
  abstract newestEventId(): Promise<string | null>;
}
