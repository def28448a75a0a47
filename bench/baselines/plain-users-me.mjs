// Baseline of the authenticated-read case: GET /users/me on a plain node:http server, doing by
// hand the work the service does for it:
//   1. `Authorization: Bearer <token>` (src/auth/http/jwt-auth.guard.ts);
//   2. HS256 verification with node:crypto, then the checks jsonwebtoken and jwt.strategy.ts make:
//      header alg HS256, iss, aud, exp with 1 s of leeway, typ access, UUID sub/sid/jti, iat;
//   3. the revocation check of access-check.service.ts: one Redis MGET of the user's token,
//      session and account entries (the same keys and account encoding, from the service's
//      build, and the same token and session encoding as redis-auth-state.cache.ts);
//      parts it misses are read from PostgreSQL in parallel and cached with SET NX EX 60;
//      then the rules of src/auth/domain/access-decision.ts;
//   4. the same JSON as the service, from the account the check read.
// With BASELINE_ACCOUNT_FROM=record it reads the account for step 4 from PostgreSQL instead, one
// more query per request: the work the service did before it answered from the check's read, and
// the baseline issue 19 set its target against.
// Usage: node bench/baselines/plain-users-me.mjs [port]   (or PORT=...; prints "ready" on stdout)
// Needs `npm run build` first (the key layout and the account encoding come from dist/).
// Reads DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX, JWT_SECRET, JWT_ISSUER and JWT_AUDIENCE like the
// service: give it the same values as the instance it is compared with, so one token works on both.
import { baselinePool, baselineRedis, sendJson, serve } from './connections.mjs';
import { verifiedHs256Payload } from './hs256.mjs';
import { redisKeys } from '../../dist/src/common/redis/key-namespaces.js';
// The cache's own encoding of an account, so both sides read and write the same entries.
import { decodeAccount, encodeAccount } from '../../dist/src/auth/infrastructure/cached-account.js';

const port = Number(process.argv[2] ?? process.env.PORT ?? 3913);
const secret = process.env.JWT_SECRET;
if (!secret) throw new Error('JWT_SECRET must be set (the same as the service’s)');
const issuer = process.env.JWT_ISSUER ?? 'tempmessenger';
const audience = process.env.JWT_AUDIENCE ?? 'tempmessenger';
const LEEWAY_SECONDS = 1;
const CACHE_TTL_SECONDS = 60;
const accountFromRecord = process.env.BASELINE_ACCOUNT_FROM === 'record';

const BEARER_HEADER = /^bearer [^\s]+$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (value) => typeof value === 'string' && UUID.test(value);

const pool = baselinePool();
const redis = baselineRedis();

class Refusal extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
const REASONS = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
};
const invalid = () => new Refusal(401, 'TOKEN_INVALID', 'Invalid token. Please log in again.');
const revoked = () => new Refusal(401, 'TOKEN_REVOKED', 'Token blacklisted. Please log in again.');

/** The access claims of a well-signed, current access token of this issuer and audience. */
function verifyAccessToken(token) {
  const payload = verifiedHs256Payload(token, secret);
  if (!payload) throw invalid();

  const now = Math.floor(Date.now() / 1000);
  if (payload.nbf !== undefined) {
    if (typeof payload.nbf !== 'number' || payload.nbf > now + LEEWAY_SECONDS) throw invalid();
  }
  if (typeof payload.exp !== 'number') throw invalid();
  if (now >= payload.exp + LEEWAY_SECONDS) {
    throw new Refusal(401, 'TOKEN_EXPIRED', 'Signature expired. Please log in again.');
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(audience) || payload.iss !== issuer) throw invalid();
  if (payload.typ === 'refresh')
    throw new Refusal(403, 'WRONG_TOKEN_TYPE', 'Do not use refresh token.');
  if (payload.typ !== 'access') throw invalid();
  if (!isUuid(payload.sub) || !isUuid(payload.sid) || !isUuid(payload.jti)) throw invalid();
  if (typeof payload.iat !== 'number') throw invalid();
  return {
    userId: payload.sub,
    sessionId: payload.sid,
    tokenId: payload.jti,
    issuedAt: new Date(payload.iat * 1000),
  };
}

// The cache encoding of redis-auth-state.cache.ts.
const decodeToken = (value) => (value === 'v' ? 'valid' : 'revoked');
const encodeToken = (state) => (state === 'revoked' ? 'r' : 'v');
function decodeSession(value) {
  const [status, userId, expiresAt] = value.split('|');
  return status === 'a' && userId && expiresAt
    ? { active: true, userId, expiresAt: new Date(Number(expiresAt)) }
    : { active: false };
}
const encodeSession = (state) =>
  state.active ? `a|${state.userId}|${state.expiresAt.getTime()}` : 'r';
// The record: the same reads as the service's repositories, one query each.
async function loadToken(tokenId) {
  const result = await pool.query('SELECT 1 FROM blacklist_tokens WHERE jti = $1 LIMIT 1', [
    tokenId,
  ]);
  return result.rowCount > 0 ? 'revoked' : 'valid';
}
async function loadSession(sessionId) {
  const { rows } = await pool.query(
    'SELECT user_id, expires_at, revoked_at FROM sessions WHERE id = $1',
    [sessionId],
  );
  const row = rows[0];
  return row && row.revoked_at === null
    ? { active: true, userId: row.user_id, expiresAt: row.expires_at }
    : { active: false };
}
async function loadAccount(userId) {
  const { rows } = await pool.query(
    `SELECT id, email, first_name, last_name, role, disabled_at, email_verified_at,
            mfa_enabled_at, tokens_valid_after, created_at, revision
       FROM users WHERE id = $1`,
    [userId],
  );
  const row = rows[0];
  return row ? accountOf(row) : null;
}
const accountOf = (row) => ({
  id: row.id,
  email: row.email,
  firstName: row.first_name,
  lastName: row.last_name,
  role: row.role,
  disabledAt: row.disabled_at,
  emailVerifiedAt: row.email_verified_at,
  mfaEnabled: row.mfa_enabled_at !== null,
  tokensValidAfter: row.tokens_valid_after,
  createdAt: row.created_at,
  revision: row.revision,
});

/** access-check.service.ts + access-decision.ts: throws TOKEN_REVOKED, or returns the account. */
async function checkAccess(claims) {
  let cached = null;
  try {
    const [token, session, account] = await redis.mget(
      redisKeys.authToken(claims.userId, claims.tokenId),
      redisKeys.authSession(claims.userId, claims.sessionId),
      redisKeys.authAccount(claims.userId),
    );
    cached = {
      token: token ? decodeToken(token) : undefined,
      session: session ? decodeSession(session) : undefined,
      account: account ? decodeAccount(account) : undefined,
    };
  } catch {
    // Redis cannot answer: PostgreSQL answers alone.
  }
  const [token, session, account] = await Promise.all([
    cached?.token ?? loadToken(claims.tokenId),
    cached?.session ?? loadSession(claims.sessionId),
    cached?.account !== undefined ? cached.account : loadAccount(claims.userId),
  ]);
  if (cached && (!cached.token || !cached.session || cached.account === undefined)) {
    const fill = redis.pipeline();
    if (!cached.token)
      fill.set(
        redisKeys.authToken(claims.userId, claims.tokenId),
        encodeToken(token),
        'EX',
        CACHE_TTL_SECONDS,
        'NX',
      );
    if (!cached.session) {
      fill.set(
        redisKeys.authSession(claims.userId, claims.sessionId),
        encodeSession(session),
        'EX',
        CACHE_TTL_SECONDS,
        'NX',
      );
    }
    if (cached.account === undefined) {
      fill.set(
        redisKeys.authAccount(claims.userId),
        encodeAccount(account),
        'EX',
        CACHE_TTL_SECONDS,
        'NX',
      );
    }
    fill.exec().catch(() => undefined);
  }

  if (token === 'revoked') throw revoked();
  if (!session.active || session.userId !== claims.userId || session.expiresAt <= new Date()) {
    throw revoked();
  }
  if (!account || account.disabledAt !== null) throw revoked();
  if (claims.issuedAt.getTime() < Math.floor(account.tokensValidAfter.getTime() / 1000) * 1000) {
    throw revoked();
  }
  return account;
}

async function usersMe(request) {
  const header = request.headers.authorization;
  if (header === undefined) throw new Refusal(401, 'AUTH_REQUIRED', 'Provide a valid auth token.');
  if (!BEARER_HEADER.test(header))
    throw new Refusal(401, 'TOKEN_MALFORMED', 'Bearer token malformed.');
  const claims = verifyAccessToken(header.slice('bearer '.length));
  const checked = await checkAccess(claims);
  const account = accountFromRecord ? await loadAccount(claims.userId) : checked;
  if (!account) throw new Refusal(404, 'USER_NOT_FOUND', 'User not found.');
  return {
    id: account.id,
    email: account.email,
    firstName: account.firstName,
    lastName: account.lastName,
    role: account.role,
    createdAt: account.createdAt.toISOString(),
    emailVerifiedAt: account.emailVerifiedAt?.toISOString() ?? null,
    mfaEnabled: account.mfaEnabled,
  };
}

async function handle(request, response) {
  if (request.method !== 'GET' || request.url.split('?', 1)[0] !== '/users/me') {
    sendJson(response, 404, { statusCode: 404, error: 'Not Found', code: 'NOT_FOUND' });
    return;
  }
  try {
    sendJson(response, 200, await usersMe(request));
  } catch (error) {
    if (error instanceof Refusal) {
      sendJson(
        response,
        error.status,
        {
          statusCode: error.status,
          error: REASONS[error.status],
          code: error.code,
          message: error.message,
        },
        error.status === 401
          ? {
              'www-authenticate': request.headers.authorization
                ? 'Bearer error="invalid_token"'
                : 'Bearer',
            }
          : {},
      );
    } else {
      // Only PostgreSQL or Redis can fail here.
      sendJson(response, 503, {
        statusCode: 503,
        error: REASONS[503],
        code: 'SERVICE_UNAVAILABLE',
        message: 'Service unavailable.',
      });
    }
  }
}

await serve(port, handle, { pool, redis });
