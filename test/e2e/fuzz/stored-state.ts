import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import type { AppUnderTest } from '../support/test-app';
import { redisKeys } from '../../../src/common/redis';

/** What the service has stored, taken cheaply enough to compare around every rejected request. */
export interface Snapshot {
  /** A digest of each table that changes with every insert, update and delete. */
  readonly tables: {
    readonly users: string;
    readonly sessions: string;
    readonly blacklist: string;
    /** Used mailed tokens only: the mail sender adds unused ones on its own, at any time. */
    readonly usedAccountTokens: string;
  };
  /** Live message ids with their expiry in ms, from the message keys themselves. */
  readonly messages: ReadonlyMap<string, number>;
  readonly takenAt: number;
}

/**
 * Every insert or update writes a row version stamped with its transaction id (xmin), so a
 * table's row count and sum of xmins change with any write, delete included, without reading
 * the rows' contents (which cost more than the request under test).
 */
const TABLE_DIGESTS = `
  SELECT
    (SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM users) AS users,
    (SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM sessions) AS sessions,
    (SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM blacklist_tokens)
      AS blacklist,
    (SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM account_tokens
      WHERE used_at IS NOT NULL) AS "usedAccountTokens"`;

/** Reads PostgreSQL through the app's connection and Redis through a client of its own. */
export class StoredState {
  private constructor(
    private readonly dataSource: DataSource,
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  static open(testApp: AppUnderTest): StoredState {
    const { url, keyPrefix } = testApp.config.redis;
    return new StoredState(testApp.app.get(DataSource), new Redis(url), keyPrefix);
  }

  async snapshot(): Promise<Snapshot> {
    const [[tables], keys, index] = await Promise.all([
      this.dataSource.query(TABLE_DIGESTS),
      this.redis.keys(this.keyPrefix + redisKeys.message('*')),
      this.redis.zrange(this.keyPrefix + redisKeys.messagesByExpiry(), 0, -1, 'WITHSCORES'),
    ]);
    const expiries = new Map<string, number>();
    for (let i = 0; i < index.length; i += 2) expiries.set(index[i], Number(index[i + 1]));
    const idOf = (key: string) => key.slice((this.keyPrefix + redisKeys.message('')).length);
    // A key missing from the index is kept as never expiring: it must then never vanish.
    const messages = new Map(keys.map((key) => [idOf(key), expiries.get(idOf(key)) ?? Infinity]));
    // Taken after the reads: a message that expired by now may be gone from them.
    return { tables, messages, takenAt: Date.now() };
  }

  /** Nothing written, updated or deleted, and no message added or gone before its expiry. */
  expectUnchanged(before: Snapshot, after: Snapshot): void {
    const added = [...after.messages.keys()].filter((id) => !before.messages.has(id));
    const vanished = [...before.messages]
      .filter(([id, expiresAt]) => expiresAt > after.takenAt && !after.messages.has(id))
      .map(([id]) => id);
    expect({ tables: after.tables, added, vanished }).toEqual({
      tables: before.tables,
      added: [],
      vanished: [],
    });
  }

  close(): void {
    this.redis.disconnect();
  }
}
