// Baseline of the refresh case: POST /auth/refresh on a plain node:http server, doing by hand the
// work the service does for it (AuthService.refresh, src/auth/application/auth.service.ts):
//   1. the body: a JSON object holding a string `refreshToken` and nothing else (RefreshDto under
//      the global validation pipe);
//   2. HS256 verification with node:crypto and jsonwebtoken's checks (alg, signature, nbf and exp
//      with 1 s of leeway, aud, iss), then the codec's (jwt-token.codec.ts): typ refresh (an access
//      token is WRONG_TOKEN_TYPE), UUID sub/sid/jti, iat and exp in epoch seconds; any other
//      failure is REFRESH_INVALID;
//   3. the session row by id, which must be live and the token owner's;
//   4. the token is the session's current one: in one transaction, the conditional UPDATE of
//      typeorm-session.repository.ts (saveRotation: the same columns, only while the row still
//      holds the presented token and is live) and the `token.refreshed` audit row
//      (auth-event.log.ts). An UPDATE that touches no row lost to a concurrent rotation: the row
//      is read again and judged as in 6;
//   5. the new expiry in the auth cache with the service's own RedisAuthStateCache (one EVALSHA of
//      its script, same key and encoding); a cache fault is ignored, as the service only logs it;
//   6. a token the session has rotated away from: the one the last rotation replaced, within
//      REFRESH_REUSE_INTERVAL, gets the session's current refresh token again; any other ends the
//      session (UPDATE, cache entry "revoked" and a `refresh.reused` audit row, in one transaction)
//      and is REFRESH_REUSED;
//   7. a new access token and the session's refresh token, signed by hand with the claims
//      jsonwebtoken writes, in its order (so a grant signs to the same string on both), and the
//      same JSON.
// The rotation rules (Session: rotate, successorOf, isActive) and the settings (the service's
// config loader: secret, issuer, audience, lifetimes, reuse interval) come from the built service
// (dist/), with no Nest application, so they cannot drift from it. Not done here: what Fastify
// and Nest do around the handler, and the access line and the auth event's log line and count.
// Usage: node bench/baselines/plain-refresh.mjs [port]   (or PORT=...; prints "ready" on stdout)
// Reads the service's variables (DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX, JWT_*, ACCESS_TOKEN_TTL,
// REFRESH_TOKEN_TTL, REFRESH_REUSE_INTERVAL, SESSION_MAX_LIFETIME): give it the same values as the
// instance it is compared with. Needs `npm run build` first.
import { Buffer } from 'node:buffer';
import { createSecretKey, randomUUID } from 'node:crypto';
import { baselinePool, baselineRedis, sendJson, serve } from './connections.mjs';
import { signHs256, verifiedHs256Payload } from './hs256.mjs';
import { Session } from '../../dist/src/auth/domain/session.js';
import { RedisAuthStateCache } from '../../dist/src/auth/infrastructure/redis-auth-state.cache.js';
import { loadConfig } from '../../dist/src/common/config/load-config.js';
import { isUuid } from '../../dist/src/common/validation/uuid.js';

const port = Number(process.argv[2] ?? process.env.PORT ?? 3917);
const { jwt } = loadConfig(process.env);
const key = createSecretKey(Buffer.from(jwt.secret, 'utf8'));
const lifetime = { idleSeconds: jwt.refreshTtlSeconds, maxSeconds: jwt.sessionMaxLifetimeSeconds };
const LEEWAY_SECONDS = 1;
/** Latest time a JavaScript Date holds, in seconds (jwt-token.codec.ts). */
const LATEST_DATE_SECONDS = 8.64e12;
// As json-body.ts, user-agent.ts and access-log.ts.
const MAX_BODY_BYTES = 32 * 1024;
const JSON_MEDIA_TYPE = /^application\/(?:[\w.!#$&^-]+\+)?json(?:;|$)/;
const MAX_USER_AGENT_LENGTH = 512;
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** jsonwebtoken's header for HS256, in its key order. */
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

const pool = baselinePool();
const redis = baselineRedis();
const cache = new RedisAuthStateCache(redis);

class Refusal extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}
const REASONS = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  503: 'Service Unavailable',
};
const refreshInvalid = () =>
  new Refusal(403, 'REFRESH_INVALID', 'Invalid refresh token. Please log in again.');
const refreshReused = () =>
  new Refusal(
    403,
    'REFRESH_REUSED',
    'Refresh token already used. The session has been revoked; please log in again.',
  );
const invalidBody = (details) =>
  new Refusal(400, 'VALIDATION_FAILED', 'Request validation failed.', details);

/** The body as Fastify's JSON parser (json-body.ts) and the validation pipe give it. */
async function readRefreshToken(request) {
  if (!JSON_MEDIA_TYPE.test(request.headers['content-type'] ?? '')) {
    throw new Refusal(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be UTF-8 JSON.');
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Refusal(413, 'PAYLOAD_TOO_LARGE', 'Request too large.');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let body = {};
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new Refusal(400, 'MALFORMED_JSON', 'Request body is not valid JSON.');
    }
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidBody([{ field: '', messages: ['request body must be a JSON object'] }]);
  }
  const unknown = Object.keys(body).filter((field) => field !== 'refreshToken');
  if (unknown.length > 0) {
    throw invalidBody(
      unknown.map((field) => ({ field, messages: [`property ${field} should not exist`] })),
    );
  }
  const { refreshToken } = body;
  if (typeof refreshToken !== 'string') {
    throw invalidBody([{ field: 'refreshToken', messages: ['refreshToken must be a string'] }]);
  }
  if (LONE_SURROGATE.test(refreshToken)) {
    throw invalidBody([
      { field: 'refreshToken', messages: ['refreshToken must be well-formed Unicode text'] },
    ]);
  }
  return refreshToken;
}

const sign = (input) => signHs256(key, input);
const isEpochSeconds = (value) =>
  typeof value === 'number' && value >= 0 && value <= LATEST_DATE_SECONDS;

/** The refresh claims of a well-signed, current refresh token of this issuer and audience. */
function verifyRefreshToken(token) {
  const payload = verifiedHs256Payload(token, key);
  if (!payload) throw refreshInvalid();
  const now = Math.floor(Date.now() / 1000);
  if (payload.nbf !== undefined) {
    if (typeof payload.nbf !== 'number' || payload.nbf > now + LEEWAY_SECONDS) {
      throw refreshInvalid();
    }
  }
  if (payload.exp !== undefined) {
    if (typeof payload.exp !== 'number' || now >= payload.exp + LEEWAY_SECONDS) {
      throw refreshInvalid();
    }
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(jwt.audience) || payload.iss !== jwt.issuer) throw refreshInvalid();
  if (payload.typ === 'access') {
    throw new Refusal(403, 'WRONG_TOKEN_TYPE', 'Use the refresh token here, not the access token.');
  }
  const claimsHeld =
    isUuid(payload.sub) &&
    isUuid(payload.sid) &&
    isUuid(payload.jti) &&
    isEpochSeconds(payload.iat) &&
    isEpochSeconds(payload.exp);
  if (payload.typ !== 'refresh' || !claimsHeld) throw refreshInvalid();
  return { userId: payload.sub, sessionId: payload.sid, tokenId: payload.jti };
}

/** A JWT as jsonwebtoken signs it: the payload's own claims, then aud, iss, sub, jti. */
function signJwt(claims, subject, jwtid) {
  const payload = Buffer.from(
    JSON.stringify({ ...claims, aud: jwt.audience, iss: jwt.issuer, sub: subject, jti: jwtid }),
  ).toString('base64url');
  return `${HEADER}.${payload}.${sign(`${HEADER}.${payload}`)}`;
}

/** JwtTokenCodec.issuePair: a new access token, and the session's current refresh grant. */
function issuePair(session) {
  const now = Math.floor(Date.now() / 1000);
  const grant = session.refreshGrant;
  const accessToken = signJwt(
    { sid: session.id, typ: 'access', iat: now, exp: now + jwt.accessTtlSeconds },
    session.userId,
    randomUUID(),
  );
  const refreshToken = signJwt(
    {
      sid: session.id,
      typ: 'refresh',
      iat: Math.floor(grant.issuedAt.getTime() / 1000),
      exp: Math.floor(grant.expiresAt.getTime() / 1000),
    },
    session.userId,
    grant.jti,
  );
  return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: jwt.accessTtlSeconds };
}

// The session row under the names of SessionProps, for Session.restore.
const SELECT_SESSION = `
  SELECT id, user_id AS "userId", refresh_jti AS "refreshJti",
         refresh_issued_at AS "refreshIssuedAt", previous_refresh_jti AS "previousRefreshJti",
         rotated_at AS "rotatedAt", created_at AS "createdAt", last_used_at AS "lastUsedAt",
         expires_at AS "expiresAt", revoked_at AS "revokedAt", revoked_reason AS "revokedReason",
         ip, user_agent AS "userAgent"
    FROM sessions WHERE id = $1`;
const SAVE_ROTATION = `
  UPDATE sessions SET refresh_jti = $1, refresh_issued_at = $2, previous_refresh_jti = $3,
         rotated_at = $4, last_used_at = $5, expires_at = $6
   WHERE id = $7 AND refresh_jti = $8 AND revoked_at IS NULL AND expires_at > $9`;
const REVOKE = `
  UPDATE sessions SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL`;
const APPEND_AUDIT = `
  INSERT INTO audit_events (id, event, user_id, actor_id, ip, user_agent, request_id, at, details)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

/** AuthService.liveSessionOf. */
async function liveSessionOf(claims, now) {
  const { rows } = await pool.query(SELECT_SESSION, [claims.sessionId]);
  const session = rows[0] ? Session.restore(rows[0]) : null;
  if (!session || !session.belongsTo(claims.userId) || !session.isActive(now)) {
    throw refreshInvalid();
  }
  return session;
}

/** UnitOfWork.run: one pooled connection, BEGIN … COMMIT, rolled back on any error. */
async function inTransaction(work) {
  const db = await pool.connect();
  try {
    await db.query('START TRANSACTION');
    const result = await work(db);
    await db.query('COMMIT');
    db.release();
    return result;
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    db.release(true);
    throw error;
  }
}

/** AuthEventLog.record's row (the log line and the count are left out, see the header). */
function appendAudit(db, event, session, client) {
  return db.query(APPEND_AUDIT, [
    randomUUID(),
    event,
    session.userId,
    session.userId,
    client.ip,
    client.userAgent,
    client.requestId,
    new Date(),
    JSON.stringify({ sessionId: session.id }),
  ]);
}

/** AuthService.answerRotatedAway. */
async function answerRotatedAway(session, tokenId, now, client) {
  if (session.successorOf(tokenId, now, jwt.refreshReuseIntervalSeconds)) return issuePair(session);
  await inTransaction(async (db) => {
    await db.query(REVOKE, [new Date(), 'refresh_reused', session.id]);
    await cache.putSessions(session.userId, new Map([[session.id, { active: false }]]));
    await appendAudit(db, 'refresh.reused', session, client);
  });
  throw refreshReused();
}

/** AuthService.refresh. */
async function refresh(refreshToken, client) {
  const claims = verifyRefreshToken(refreshToken);
  const now = new Date();
  const session = await liveSessionOf(claims, now);
  if (session.refreshJti !== claims.tokenId) {
    return answerRotatedAway(session, claims.tokenId, now, client);
  }
  session.rotate(randomUUID(), now, lifetime);
  const { previousRefreshJti, rotatedAt, ...next } = session.toProps();
  const saved = await inTransaction(async (db) => {
    const { rowCount } = await db.query(SAVE_ROTATION, [
      next.refreshJti,
      next.refreshIssuedAt,
      previousRefreshJti,
      rotatedAt,
      next.lastUsedAt,
      next.expiresAt,
      next.id,
      previousRefreshJti,
      rotatedAt,
    ]);
    if (rowCount === 0) return false;
    await appendAudit(db, 'token.refreshed', session, client);
    return true;
  });
  if (!saved) {
    const rotated = await liveSessionOf(claims, now);
    return answerRotatedAway(rotated, claims.tokenId, now, client);
  }
  await cache
    .putSessions(
      session.userId,
      new Map([[session.id, { active: true, userId: session.userId, expiresAt: next.expiresAt }]]),
    )
    .catch(() => undefined);
  return issuePair(session);
}

/** The ClientInfo the service records: address, user agent, request id. */
function clientOf(request, requestId) {
  const address = request.socket.remoteAddress ?? null;
  const userAgent = request.headers['user-agent'];
  return {
    ip: address?.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address,
    userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null,
    requestId,
  };
}

async function handle(request, response) {
  const given = request.headers['x-request-id'];
  const requestId = typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
  // Every auth route answers with no-store (no-store.middleware.ts), and every answer its id.
  const headers = { 'cache-control': 'no-store', 'x-request-id': requestId };
  if (request.method !== 'POST' || request.url.split('?', 1)[0] !== '/auth/refresh') {
    sendJson(response, 404, { statusCode: 404, error: 'Not Found', code: 'NOT_FOUND' }, headers);
    return;
  }
  try {
    const refreshToken = await readRefreshToken(request);
    sendJson(response, 200, await refresh(refreshToken, clientOf(request, requestId)), headers);
  } catch (error) {
    if (error instanceof Refusal) {
      const { status, code, message, details } = error;
      const body = { statusCode: status, error: REASONS[status], code, message };
      sendJson(response, status, details ? { ...body, details } : body, headers);
    } else {
      // Only PostgreSQL or Redis can fail here.
      sendJson(
        response,
        503,
        {
          statusCode: 503,
          error: REASONS[503],
          code: 'SERVICE_UNAVAILABLE',
          message: 'Service unavailable.',
        },
        headers,
      );
    }
  }
}

await serve(port, handle, { pool, redis });
