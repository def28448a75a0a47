import { randomUUID } from 'node:crypto';
import { Message } from '../../src/messages/domain/message';
import type { MessageEvent, PublishedMessageEvent } from '../../src/messages/domain/message-event';
import type { MessageEventBus } from '../../src/messages/domain/message-event.bus';

export interface MessageEventBusFixture {
  /** With an empty log. */
  readonly bus: MessageEventBus;
  /** How many of the newest events its log keeps. */
  readonly replayWindow: number;
}

function created(): { type: 'message.created'; message: Message } {
  const createdAt = Date.parse('2026-11-25T12:00:00.000Z');
  const message = Message.restore({
    id: randomUUID(),
    text: 'Hello',
    authorId: randomUUID(),
    authorEmail: 'ada@example.com',
    createdAt: new Date(createdAt),
    expiresAt: new Date(createdAt + 60_000),
  });
  return { type: 'message.created', message };
}

const deleted = (id: string): MessageEvent => ({ type: 'message.deleted', id });

/** A listener that keeps what it is given; deliveries may come after `publish` resolves. */
class Listener {
  readonly received: PublishedMessageEvent[] = [];
  unsubscribe: () => void = () => undefined;
  private waiting?: { count: number; resolve: () => void };

  static async on(bus: MessageEventBus): Promise<Listener> {
    const listener = new Listener();
    listener.unsubscribe = await bus.subscribe((published) => listener.receive(published));
    return listener;
  }

  /** Resolves once `count` events have arrived (the test's timeout fails it otherwise). */
  until(count: number): Promise<PublishedMessageEvent[]> {
    return new Promise((resolve) => {
      this.waiting = { count, resolve: () => resolve(this.received) };
      this.wakeIfDone();
    });
  }

  private receive(published: PublishedMessageEvent): void {
    this.received.push(published);
    this.wakeIfDone();
  }

  private wakeIfDone(): void {
    if (this.waiting && this.received.length >= this.waiting.count) this.waiting.resolve();
  }
}

/** What every `MessageEventBus` does, the in-memory fake as much as Redis pub/sub and streams. */
export function describeMessageEventBusContract(
  name: string,
  setup: () => Promise<MessageEventBusFixture>,
): void {
  describe(`${name} keeps the MessageEventBus contract`, () => {
    let bus: MessageEventBus;
    let replayWindow: number;

    beforeEach(async () => {
      ({ bus, replayWindow } = await setup());
    });

    /** Publishes the events in order and answers the ids they were delivered under. */
    async function publishAll(events: readonly MessageEvent[]): Promise<string[]> {
      const listener = await Listener.on(bus);
      for (const event of events) await bus.publish(event);
      const received = await listener.until(events.length);
      listener.unsubscribe();
      return received.map(({ id }) => id);
    }

    it('logs nothing before the first event', async () => {
      expect(await bus.newestEventId()).toBeNull();
      expect(await bus.eventsAfter('not-an-event-id')).toBeNull();
    });

    it('delivers every event, in order, to every listener', async () => {
      const first = await Listener.on(bus);
      const second = await Listener.on(bus);
      const post = created();
      const events = [post, deleted(post.message.id)];

      for (const event of events) await bus.publish(event);

      const delivered = await first.until(2);
      expect(delivered.map(({ event }) => event)).toEqual(events);
      expect(await second.until(2)).toEqual(delivered);
      expect(new Set(delivered.map(({ id }) => id)).size).toBe(2);
    });

    it('stops calling a listener once it unsubscribes', async () => {
      const leaving = await Listener.on(bus);
      const staying = await Listener.on(bus);
      leaving.unsubscribe();

      await bus.publish(created());

      await staying.until(1);
      expect(leaving.received).toEqual([]);
    });

    it('replays, as ids only, the logged events after the one a reader names', async () => {
      const post = created();
      const later = created();
      const [firstId, secondId, thirdId] = await publishAll([
        post,
        deleted(post.message.id),
        later,
      ]);

      expect(await bus.eventsAfter(firstId)).toEqual([
        { id: secondId, type: 'message.deleted', messageId: post.message.id },
        { id: thirdId, type: 'message.created', messageId: later.message.id },
      ]);
      expect(await bus.eventsAfter(thirdId)).toEqual([]);
      expect(await bus.newestEventId()).toBe(thirdId);
    });

    it('forgets the events older than its replay window', async () => {
      const events = Array.from({ length: replayWindow + 1 }, () => created());
      const [forgotten, oldestKept, ...rest] = await publishAll(events);

      expect(await bus.eventsAfter(forgotten)).toBeNull();
      expect((await bus.eventsAfter(oldestKept))?.map(({ id }) => id)).toEqual(rest);
      expect(await bus.newestEventId()).toBe(rest.at(-1));
    });
  });
}
