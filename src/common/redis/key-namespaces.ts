/**
 * Every key this service writes in Redis, under the client's key prefix (`REDIS_KEY_PREFIX`):
 * its prefix (or the whole key), the module that owns it, and what it holds. Adapters build their
 * keys here, so two modules cannot claim one namespace unnoticed.
 */
export const KEY_NAMESPACES = {
  message: {
    prefix: 'message:',
    owner: 'messages',
    meaning: 'one message as JSON, by id, expiring by itself at its expiry (PXAT)',
  },
  messagesByExpiry: {
    prefix: 'messages:by-expiry',
    owner: 'messages',
    meaning: 'sorted set of live message ids scored by expiry ms: the listing order',
  },
  messagesByAuthor: {
    prefix: 'messages:by-author:',
    owner: 'messages',
    meaning: "sorted set of an author's message ids, by user id, to delete an account's messages",
  },
  messagesDeletedAuthor: {
    prefix: 'messages:deleted-author:',
    owner: 'messages',
    meaning: "a deleted account's tombstone, by user id, which refuses its posts",
  },
  messagesEvents: {
    prefix: 'messages:events',
    owner: 'messages',
    meaning: 'capped stream of recent message events, for resuming (also the pub/sub channel)',
  },
  authToken: {
    prefix: 'auth:token:',
    owner: 'auth',
    meaning: "an access token's cached state, by token id: valid or revoked",
  },
  authSession: {
    prefix: 'auth:session:',
    owner: 'auth',
    meaning: "a session's cached state, by session id: active (user, expiry) or revoked",
  },
  authUser: {
    prefix: 'auth:user:',
    owner: 'auth',
    meaning: "a user's cached state, by user id: role and tokens valid after, or gone",
  },
  authMfaChallenge: {
    prefix: 'auth:mfa-challenge:',
    owner: 'auth',
    meaning:
      'a login waiting for its second factor, by the hash of its mfaToken: user, wrong codes',
  },
  rateLimit: {
    prefix: 'rl:',
    owner: 'common/rate-limit',
    meaning: "a limiter's counters, by rule name then key (rate-limiter-flexible's layout)",
  },
} as const;

export type KeyNamespace = keyof typeof KEY_NAMESPACES;

/** The namespace's key for `id`, or the key itself for a single-key namespace. */
export function redisKey(namespace: KeyNamespace, id = ''): string {
  return KEY_NAMESPACES[namespace].prefix + id;
}
