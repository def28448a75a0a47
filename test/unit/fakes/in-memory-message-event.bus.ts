import type {
  MessageEvent,
  MessageEventListener,
  PublishedMessageEvent,
} from '../../../src/messages/domain/message-event';
import { MessageEventBus } from '../../../src/messages/domain/message-event.bus';

/** Every published event kept in order, numbered from 1; `failing` makes publish reject. */
export class InMemoryMessageEventBus extends MessageEventBus {
  readonly published: PublishedMessageEvent[] = [];
  failing = false;
  private readonly listeners = new Set<MessageEventListener>();

  async publish(event: MessageEvent): Promise<void> {
    if (this.failing) throw new Error('event bus unavailable');
    const published = { id: String(this.published.length + 1), event };
    this.published.push(published);
    for (const listener of this.listeners) listener(published);
  }

  async subscribe(listener: MessageEventListener): Promise<() => void> {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async eventsAfter(eventId: string): Promise<PublishedMessageEvent[] | null> {
    const index = this.published.findIndex((published) => published.id === eventId);
    return index === -1 ? null : this.published.slice(index + 1);
  }
}
