import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { ServiceUnavailableError, TranslateErrors } from '../../common/errors';
import {
  defineRedisScript,
  InjectRedis,
  LUA_NOW_MS,
  readLua,
  type RedisClient,
  redisKeys,
  type RedisScript,
  translateRedisError,
} from '../../common/redis';
import type { PagePosition } from '../../common/pagination';
import { Message } from '../domain/message';
import { ListedMessageCache } from './listed-message.cache';
import { fromRecord, type MessageRecord, toRecord } from './message.record';
import {
  type CopyOutcome,
  type MessageDraft,
  type MessagePage,
  MessageStore,
} from '../domain/message.store';

/**
 * Layout, under the client's key prefix and in the board's one cluster slot (see KEY_NAMESPACES):
 *   {board}:message:<id>          the message as JSON, expiring by itself at its expiry (PXAT)
 *   {board}:messages:by-expiry    sorted set of live ids, scored by expiry in ms: the listing order
 *   {board}:messages:by-author:<userId>
 *                                 the same for one author, to delete an account's messages
 *   {board}:messages:deleted-author:<userId>
 *                                 a deleted account's tombstone, which refuses its posts
 *   {board}:messages:copied       sorted set of the ids copied in from another Redis, by expiry
 * Writes are Lua scripts (in `lua/`), atomic, and name every key they touch in KEYS, as Redis
 * Cluster requires; where the keys depend on data (a message's author, an author's ids), the
 * data is read first and the script checks it still holds. Index entries of expired messages
 * are removed by the writes and reads that pass by, with ZREMRANGEBYSCORE: each entry is removed
 * once, so the work stays proportional to what expired, never to what is live.
 * All times come from Redis' own clock, so instances with skewed clocks agree.
 */
const BY_EXPIRY = redisKeys.messagesByExpiry();
const byAuthor = redisKeys.messagesByAuthor;
const messageKey = redisKeys.message;
const tombstone = redisKeys.messagesDeletedAuthor;
const COPIED = redisKeys.messagesCopied();
/** How often an account deletion reads the author's index again after a write slipped in. */
const DELETE_BY_AUTHOR_ATTEMPTS = 5;

const lua = (name: string) => join(__dirname, 'lua', `${name}.lua`);
const PUT = lua('message-put');
const POST = readLua(LUA_NOW_MS, PUT, lua('message-post'));
const PUT_COPY = readLua(LUA_NOW_MS, PUT, lua('message-put-copy'));
const LIST = readLua(LUA_NOW_MS, lua('message-list'));
const DELETE = readLua(lua('message-delete'));
const DELETE_BY_AUTHOR = readLua(lua('message-delete-by-author'));

@Injectable()
@TranslateErrors(translateRedisError)
export class RedisMessageStore extends MessageStore {
  private readonly postScript: RedisScript<string | null>;
  private readonly listScript: RedisScript<string[]>;
  private readonly deleteScript: RedisScript<number>;
  private readonly deleteByAuthorScript: RedisScript<string[] | null>;
  private readonly putCopyScript: RedisScript<CopyOutcome>;

  /**
   * @param listed spares the listing the bodies it has read before. The service's store has one
   * (required by its module); a store made for a one-off, such as the copy command's source,
   * reads every body.
   */
  constructor(
    @InjectRedis() private readonly redis: RedisClient,
    private readonly listed?: ListedMessageCache,
  ) {
    super();
    this.postScript = defineRedisScript(redis, 'messagePost', POST);
    this.listScript = defineRedisScript(redis, 'messageList', LIST);
    this.deleteScript = defineRedisScript(redis, 'messageDelete', DELETE);
    this.deleteByAuthorScript = defineRedisScript(redis, 'messageDeleteByAuthor', DELETE_BY_AUTHOR);
    this.putCopyScript = defineRedisScript(redis, 'messagePutCopy', PUT_COPY);
  }

  async post(draft: MessageDraft): Promise<Message | null> {
    const body = await this.postScript(
      [BY_EXPIRY, byAuthor(draft.authorId), tombstone(draft.authorId), messageKey(draft.id)],
      [draft.id, draft.text, draft.authorId, draft.authorEmail, draft.ttlSeconds * 1000],
    );
    return body === null ? null : toMessage(body);
  }

  async findById(id: string): Promise<Message | null> {
    const body = await this.redis.get(messageKey(id));
    return body ? toMessage(body) : null;
  }

  async findByIds(ids: readonly string[]): Promise<Message[]> {
    if (ids.length === 0) return [];
    const bodies = await this.redis.mget(ids.map(messageKey));
    return bodies.flatMap((body) => (body ? [toMessage(body)] : []));
  }

  /**
   * The script chooses the page's ids, then one MGET reads the bodies not in the cache. A message
   * deleted in between is answered if its body is held, as of the script's moment, and left out
   * if it is not, as if deleted a moment before. The cursor is the last id chosen, so a walk goes
   * on past it either way.
   */
  async listPage(limit: number, after: PagePosition | null): Promise<MessagePage> {
    const [more, ...entries] = await this.listScript(
      [BY_EXPIRY],
      [after ? String(after.at) : '', after?.id ?? '', limit],
    );
    const ids = entries.filter((_, index) => index % 2 === 0);
    const lastId = ids.at(-1);
    return {
      items: await this.readListed(ids),
      next: more === '1' && lastId ? { at: Number(entries.at(-1)), id: lastId } : null,
    };
  }

  /** The messages of a page the script has just found live, in its order. */
  private async readListed(ids: string[]): Promise<Message[]> {
    const listed = this.listed;
    if (!listed) return this.findByIds(ids);
    const held = ids.map((id) => listed.get(id));
    const missing = ids.filter((_, index) => held[index] === undefined);
    if (missing.length === 0) return held as Message[];
    const read = new Map<string, Message>();
    for (const message of await this.findByIds(missing)) {
      listed.remember(message);
      read.set(message.id, message);
    }
    return ids.flatMap((id, index) => {
      const message = held[index] ?? read.get(id);
      return message ? [message] : [];
    });
  }

  /**
   * The author's index is a key of its own, so the author is read first. A message never changes
   * and its id is never reused, so the author read still names the right index when the script
   * runs; the script deletes nothing if the message has gone meanwhile.
   */
  async delete(id: string): Promise<boolean> {
    const message = await this.findById(id);
    if (!message) return false;
    const deleted = await this.deleteScript(
      [messageKey(id), BY_EXPIRY, byAuthor(message.authorId)],
      [id],
    );
    this.listed?.forget(id);
    return deleted === 1;
  }

  /**
   * Every message key is named to the script, so the author's ids are read first; the script
   * deletes only if the index still holds exactly those ids, else they are read again. Only a
   * post or delete of this author landing between the two calls causes a retry, and posts are
   * rate-limited per author, so the loop ends after a few rounds at most.
   */
  async deleteByAuthor(authorId: string, tombstoneMs: number): Promise<string[]> {
    // Each retry means the author posted or deleted in between; posts are rate-limited, so a few
    // tries suffice, and past them the deletion is refused whole (503) rather than spin.
    for (let attempt = 0; attempt < DELETE_BY_AUTHOR_ATTEMPTS; attempt++) {
      const ids = await this.redis.zrange(byAuthor(authorId), 0, -1);
      const deleted = await this.deleteByAuthorScript(
        [BY_EXPIRY, byAuthor(authorId), tombstone(authorId), ...ids.map(messageKey)],
        [tombstoneMs, ...ids],
      );
      if (deleted) {
        for (const id of deleted) this.listed?.forget(id);
        return deleted;
      }
    }
    throw new ServiceUnavailableError();
  }

  async removeTombstone(authorId: string): Promise<void> {
    await this.redis.del(tombstone(authorId));
  }

  async putCopy(message: Message): Promise<CopyOutcome> {
    const { id, text, authorId, authorEmail, createdAt, expiresAt } = toRecord(message);
    return this.putCopyScript(
      [BY_EXPIRY, byAuthor(authorId), tombstone(authorId), messageKey(id), COPIED],
      [id, text, authorId, authorEmail, createdAt, expiresAt],
    );
  }
}

function toMessage(body: string): Message {
  return fromRecord(JSON.parse(body) as MessageRecord);
}
