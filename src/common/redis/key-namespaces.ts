/**
 * Every key this service writes in Redis, under the client's key prefix (`REDIS_KEY_PREFIX`): how
 * it is built, the module that owns it, and what it holds. Adapters build their keys here only,
 * so two modules cannot claim one namespace unnoticed, and the layout below holds everywhere.
 *
 * Hash tags. In a Redis Cluster a key's slot is the hash of the part between its first `{` and
 * `}` (of the whole key when it has none), and the keys one Lua script, MGET or pipeline touches
 * must sit in one slot. So they share a tag:
 * - `{board}`: the message board: every message, its indexes, the event log and the live
 *   channel. One slot, so the board lives on one master, whose throughput bounds posts and reads.
 * - `{u:<user id>}`: one user's cached auth state: the account, its sessions and its tokens, read by
 *   the access check in one MGET. Users (and their load) spread over every slot.
 * Keys no command combines (a pending second factor, a limiter's counters) carry no tag: each
 * goes to the slot of its whole name. On a single server the tags change nothing.
 */
export const KEY_NAMESPACES = {
  message: {
    key: '{board}:message:<message id>',
    owner: 'messages',
    meaning: 'one message as JSON, by id, expiring by itself at its expiry (PXAT)',
  },
  messagesByExpiry: {
    key: '{board}:messages:by-expiry',
    owner: 'messages',
    meaning: 'sorted set of live message ids scored by expiry ms: the listing order',
  },
  messagesByAuthor: {
    key: '{board}:messages:by-author:<user id>',
    owner: 'messages',
    meaning: "sorted set of an author's message ids, to delete an account's messages",
  },
  messagesDeletedAuthor: {
    key: '{board}:messages:deleted-author:<user id>',
    owner: 'messages',
    meaning: "a deleted account's tombstone, which refuses its posts",
  },
  messagesCopied: {
    key: '{board}:messages:copied',
    owner: 'messages',
    meaning:
      'sorted set of the ids a copy from another Redis put here, by expiry ms: a later copy brings none back',
  },
  messagesEvents: {
    key: '{board}:messages:events',
    owner: 'messages',
    meaning: 'capped stream of recent message events, for resuming (also the pub/sub channel)',
  },
  authAccount: {
    key: '{u:<user id>}:auth:account',
    owner: 'auth',
    meaning:
      "a user's cached account, by revision: what decides access and what /users/me shows, or gone",
  },
  authSession: {
    key: '{u:<user id>}:auth:session:<session id>',
    owner: 'auth',
    meaning: "a session's cached state: active (user, expiry) or revoked",
  },
  authToken: {
    key: '{u:<user id>}:auth:token:<token id>',
    owner: 'auth',
    meaning: "an access token's cached state: valid or revoked",
  },
  authMfaChallenge: {
    key: 'auth:mfa-challenge:<hash of the mfaToken>',
    owner: 'auth',
    meaning: 'a login waiting for its second factor: user, wrong codes',
  },
  rateLimit: {
    key: 'rl:<rule>:<key>',
    owner: 'common/rate-limit',
    meaning: "a limiter's counters, by rule name then key (rate-limiter-flexible's layout)",
  },
} as const;

export type KeyNamespace = keyof typeof KEY_NAMESPACES;

const BOARD = '{board}';
const ofUser = (userId: string) => `{u:${userId}}`;

/** The keys themselves, one builder per namespace above (without the client's key prefix). */
export const redisKeys = {
  message: (messageId: string) => `${BOARD}:message:${messageId}`,
  messagesByExpiry: () => `${BOARD}:messages:by-expiry`,
  messagesByAuthor: (userId: string) => `${BOARD}:messages:by-author:${userId}`,
  messagesDeletedAuthor: (userId: string) => `${BOARD}:messages:deleted-author:${userId}`,
  messagesCopied: () => `${BOARD}:messages:copied`,
  messagesEvents: () => `${BOARD}:messages:events`,
  authAccount: (userId: string) => `${ofUser(userId)}:auth:account`,
  authSession: (userId: string, sessionId: string) => `${ofUser(userId)}:auth:session:${sessionId}`,
  authToken: (userId: string, tokenId: string) => `${ofUser(userId)}:auth:token:${tokenId}`,
  authMfaChallenge: (tokenHash: string) => `auth:mfa-challenge:${tokenHash}`,
  /** rate-limiter-flexible's `keyPrefix`; it adds `:<key>` itself. */
  rateLimit: (rule: string) => `rl:${rule}`,
} satisfies Record<KeyNamespace, (...ids: string[]) => string>;
