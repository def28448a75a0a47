import { randomUUID } from 'node:crypto';
import slotOf from 'cluster-key-slot';
import { KEY_NAMESPACES, redisKeys } from '../../../src/common/redis';

/** The keys as Redis sees them: under a key prefix, which has no braces (the config refuses them). */
const PREFIX = 'tm:';
const slot = (key: string) => slotOf(PREFIX + key);

describe('the Redis key layout', () => {
  /** A key of each namespace, built with sample ids ("a", "b"), beside its described pattern. */
  const namespaces = Object.entries(KEY_NAMESPACES).map(([name, { key: described }]) => {
    const build = redisKeys[name as keyof typeof redisKeys] as (...ids: string[]) => string;
    // rate-limiter-flexible adds `:<key>` to the prefix it is given.
    const key = name === 'rateLimit' ? `${build('a')}:b` : build('a', 'b');
    const placeholder = /<[^>]+>/g;
    const escaped = described.replace(/[{}]/g, '\\$&').replace(placeholder, '[^:]+');
    return { name, key, pattern: new RegExp(`^${escaped}$`) };
  });

  it.each(namespaces)('builds $name keys as described: $key', ({ key, pattern }) => {
    expect(key).toMatch(pattern);
  });

  it.each(namespaces)('gives $name keys no other namespace could build', ({ name, key }) => {
    const claimedBy = namespaces.filter((other) => other.name !== name && other.pattern.test(key));
    expect(claimedBy.map((other) => other.name)).toEqual([]);
  });

  it("puts the whole board in one slot: every message key, the event log and the live channel (one script's keys)", () => {
    const author = randomUUID();
    const boardKeys = [
      redisKeys.messagesByExpiry(),
      redisKeys.messagesCopied(),
      // Also the live channel's name (under the prefix): sharded channels hash like keys.
      redisKeys.messagesEvents(),
      ...Array.from({ length: 50 }, () => redisKeys.message(randomUUID())),
      redisKeys.messagesByAuthor(author),
      redisKeys.messagesDeletedAuthor(author),
    ];
    expect(new Set(boardKeys.map(slot)).size).toBe(1);
  });

  it("puts one user's cached state in one slot: the account, its sessions and its tokens (one MGET)", () => {
    const userId = randomUUID();
    const keys = [
      redisKeys.authAccount(userId),
      ...Array.from({ length: 20 }, () => redisKeys.authSession(userId, randomUUID())),
      ...Array.from({ length: 20 }, () => redisKeys.authToken(userId, randomUUID())),
    ];
    expect(new Set(keys.map(slot)).size).toBe(1);
  });

  it('spreads users, pending second factors and limiter keys over the slots', () => {
    const distinctSlots = (keys: string[]) => new Set(keys.map(slot)).size;
    const many = <T>(build: () => T) => Array.from({ length: 200 }, build);

    // 200 keys over 16 384 slots: nearly all distinct when spread, 1 when they share a tag.
    expect(distinctSlots(many(() => redisKeys.authAccount(randomUUID())))).toBeGreaterThan(190);
    expect(distinctSlots(many(() => redisKeys.authMfaChallenge(randomUUID())))).toBeGreaterThan(
      190,
    );
    expect(
      distinctSlots(many(() => `${redisKeys.rateLimit('login-ip')}:${randomUUID()}`)),
    ).toBeGreaterThan(190);
  });
});
