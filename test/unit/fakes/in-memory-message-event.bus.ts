import { ServiceUnavailableError } from '../../../src/common/errors';
import type {
  LoggedMessageEvent,
  MessageEvent,
  MessageEventListener,
  PublishedMessageEvent,
} from '../../../src/messages/domain/message-event';
import { MessageEventBus } from '../../../src/messages/domain/message-event.bus';

/**
 * Every published event kept in order, numbered from 1; `failing` makes publish reject as the
 * Redis adapter does without Redis, and `loseEvents` tells subscribers that events may have been
 * missed, as the adapter does when its connection comes back. Like the real log, `eventsAfter`
 * answers ids only, and only of the newest `replayWindow` events.
 */
export class InMemoryMessageEventBus extends MessageEventBus {
  readonly published: PublishedMessageEvent[] = [];
  failing = false;
  /** Makes subscribe reject, as the adapter does when it cannot open its subscription. */
  subscribeFailing = false;
  subscribeCalls = 0;
  private readonly listeners = new Set<MessageEventListener>();
  private readonly gapListeners = new Set<() => void>();

  constructor(private readonly replayWindow = Number.POSITIVE_INFINITY) {
    super();
  }

  async publish(event: MessageEvent): Promise<void> {
    if (this.failing) throw new ServiceUnavailableError();
    const published = { id: String(this.published.length + 1), event };
    this.published.push(published);
    for (const listener of this.listeners) listener(published);
  }

  async subscribe(listener: MessageEventListener, onGap?: () => void): Promise<() => void> {
    this.subscribeCalls++;
    if (this.subscribeFailing) throw new ServiceUnavailableError();
    this.listeners.add(listener);
    if (onGap) this.gapListeners.add(onGap);
    return () => {
      this.listeners.delete(listener);
      if (onGap) this.gapListeners.delete(onGap);
    };
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  loseEvents(): void {
    for (const onGap of this.gapListeners) onGap();
  }

  async eventsAfter(eventId: string): Promise<LoggedMessageEvent[] | null> {
    const log = this.published.slice(-this.replayWindow);
    const index = log.findIndex((published) => published.id === eventId);
    return index === -1 ? null : log.slice(index + 1).map(toLogged);
  }

  async newestEventId(): Promise<string | null> {
    return this.published.at(-1)?.id ?? null;
  }
}

function toLogged({ id, event }: PublishedMessageEvent): LoggedMessageEvent {
  return {
    id,
    type: event.type,
    messageId: event.type === 'message.created' ? event.message.id : event.id,
  };
}
