import { randomUUID } from 'node:crypto';
import { MessageCopyService } from '../../../src/messages';
import type { Message } from '../../../src/messages/domain/message';
import type { MessageStore } from '../../../src/messages/domain/message.store';
import { FixedClock } from '../fakes/fixed.clock';
import { InMemoryMessageStore } from '../fakes/in-memory-message.store';

/** Every live message of a store, in its listing order. */
async function board(store: MessageStore): Promise<Message[]> {
  const messages: Message[] = [];
  let page = await store.listPage(100, null);
  messages.push(...page.items);
  while (page.next) {
    page = await store.listPage(100, page.next);
    messages.push(...page.items);
  }
  return messages;
}

describe('MessageCopyService', () => {
  const ada = randomUUID();
  const bob = randomUUID();
  let sourceClock: FixedClock;
  let targetClock: FixedClock;
  let source: InMemoryMessageStore;
  let target: InMemoryMessageStore;
  let service: MessageCopyService;

  beforeEach(() => {
    sourceClock = new FixedClock();
    targetClock = new FixedClock();
    source = new InMemoryMessageStore(sourceClock);
    target = new InMemoryMessageStore(targetClock);
    service = new MessageCopyService(target);
  });

  const post = (authorId: string, ttlSeconds: number) =>
    source.post({
      id: randomUUID(),
      text: `lives ${ttlSeconds} s`,
      authorId,
      authorEmail: `${authorId}@example.com`,
      ttlSeconds,
    });

  it('copies every live message, over many pages, into the same listing', async () => {
    for (let i = 0; i < 1_201; i++) await post(i % 2 ? ada : bob, 60 + (i % 300));
    await post(ada, 1);
    sourceClock.advance(1_000); // the last one has expired on the source: nothing reads it

    const report = await service.copyFrom(source);

    expect(report).toEqual({ copied: 1_201, expired: 0, 'already-here': 0, 'author-deleted': 0 });
    expect(await board(target)).toEqual(await board(source));
  });

  it('copies nothing twice, and then what was posted meanwhile', async () => {
    await post(ada, 60);
    await post(bob, 120);
    await service.copyFrom(source);
    const meanwhile = await post(bob, 90);

    const report = await service.copyFrom(source);

    expect(report).toEqual({ copied: 1, expired: 0, 'already-here': 2, 'author-deleted': 0 });
    expect(await target.findById(meanwhile!.id)).toEqual(meanwhile);
    expect(await board(target)).toEqual(await board(source));
  });

  it("counts what has expired by the target's clock, and what a tombstone refuses", async () => {
    const kept = await post(ada, 60);
    await post(ada, 10);
    await post(bob, 60);
    targetClock.advance(30_000);
    await target.deleteByAuthor(bob, 60_000);

    const report = await service.copyFrom(source);

    expect(report).toEqual({ copied: 1, expired: 1, 'already-here': 0, 'author-deleted': 1 });
    expect(await board(target)).toEqual([kept]);
  });
});
