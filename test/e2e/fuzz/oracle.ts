import {
  type AuthorizationSpec,
  type BodySpec,
  type ContentTypeSpec,
  PROTOTYPE_KEYS,
  type TokenRef,
  type TokenSpec,
} from './arbitraries';

export interface Failure {
  readonly status: number;
  readonly code: string;
}

export interface OracleRoute {
  readonly access: 'public' | 'user' | 'admin';
  /** The fields of the route's body DTO; absent when the route reads no body. */
  readonly bodyFields?: readonly string[];
}

export interface OracleRequest {
  readonly contentType: ContentTypeSpec;
  readonly body: BodySpec;
  readonly authorization: AuthorizationSpec | undefined;
}

/** What was put on the wire for that request. */
export interface SentParts {
  readonly body: Buffer;
  readonly authorization: string | undefined;
  readonly token: string | undefined;
}

type Layer<T> = { readonly pass: T } | { readonly fail: readonly Failure[] } | 'unknown';

const MAX_BODY_BYTES = 32 * 1024;
const BEARER_HEADER = /^bearer ([^\s]+)$/i;

const fail = (...failures: [number, string][]): { fail: Failure[] } => ({
  fail: failures.map(([status, code]) => ({ status, code })),
});

/**
 * What API.md says a request must fail with, where it says so unambiguously: checks run in the
 * contract's order (body parsing, authentication, role, validation) and the first failing layer
 * decides. Where the contract leaves a case open (a charset it does not name, a claim set by the
 * fuzzer), the oracle says nothing and only the properties every response has apply.
 */
export function expectedFailures(
  route: OracleRoute,
  request: OracleRequest,
  sent: SentParts,
): readonly Failure[] | undefined {
  const body = bodyLayer(request.contentType, sent.body);
  if (body === 'unknown') return undefined;
  if ('fail' in body) return body.fail;
  if (route.access !== 'public') {
    const auth = authLayer(request.authorization, sent);
    if (auth === 'unknown') return undefined;
    if ('fail' in auth) return auth.fail;
    if (route.access === 'admin' && auth.pass === 'user') return fail([403, 'FORBIDDEN']).fail;
  }
  if (
    route.bodyFields &&
    body.pass !== undefined &&
    !isAcceptableShape(body.pass, route.bodyFields)
  ) {
    return fail([400, 'VALIDATION_FAILED']).fail;
  }
  return undefined;
}

/** 415 for a body that is not JSON, 413 past 32 KiB, 400 MALFORMED_JSON; else the parsed body. */
function bodyLayer(contentType: ContentTypeSpec, bytes: Buffer): Layer<unknown> {
  // No body: an empty POST without a content type is fine; with one, the contract is silent.
  if (bytes.length === 0) return contentType.header === undefined ? { pass: undefined } : 'unknown';
  switch (contentType.kind) {
    case 'other':
      return fail([415, 'UNSUPPORTED_MEDIA_TYPE']);
    case 'bad-charset':
      return bytes.length > MAX_BODY_BYTES
        ? fail([415, 'UNSUPPORTED_MEDIA_TYPE'], [413, 'PAYLOAD_TOO_LARGE'])
        : fail([415, 'UNSUPPORTED_MEDIA_TYPE']);
    case 'unknown':
      return 'unknown';
  }
  if (bytes.length > MAX_BODY_BYTES) return fail([413, 'PAYLOAD_TOO_LARGE']);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return 'unknown';
  }
  try {
    return { pass: JSON.parse(text) };
  } catch {
    return fail([400, 'MALFORMED_JSON']);
  }
}

/** The Authorization table of API.md; passes with the role of the token's account. */
function authLayer(spec: AuthorizationSpec | undefined, sent: SentParts): Layer<'user' | 'admin'> {
  if (sent.authorization === undefined) return fail([401, 'AUTH_REQUIRED']);
  // Node drops the spaces and tabs around a header value before the service sees it.
  const received = sent.authorization.replace(/^[ \t]+|[ \t]+$/g, '');
  const match = BEARER_HEADER.exec(received);
  if (!match) return fail([401, 'TOKEN_MALFORMED']);
  // A token with anything added to it is not one the service signed.
  if (!spec || !('token' in spec) || match[1] !== sent.token) return fail([401, 'TOKEN_INVALID']);
  return tokenLayer(spec.token);
}

/** What each of the fixture's tokens is, used as an access token. */
const TOKEN_OUTCOMES: Record<TokenRef, Layer<'user' | 'admin'>> = {
  userAccess: { pass: 'user' },
  adminAccess: { pass: 'admin' },
  userRefresh: fail([403, 'WRONG_TOKEN_TYPE']),
  // The contract does not order "revoked" against "refresh token used as access token".
  revokedRefresh: fail([401, 'TOKEN_REVOKED'], [403, 'WRONG_TOKEN_TYPE']),
  revokedAccess: fail([401, 'TOKEN_REVOKED']),
  deletedUserAccess: fail([401, 'TOKEN_REVOKED']),
};

function tokenLayer(token: TokenSpec): Layer<'user' | 'admin'> {
  if ('garbage' in token) return fail([401, 'TOKEN_INVALID']);
  if ('ref' in token) return TOKEN_OUTCOMES[token.ref];
  switch (token.forged) {
    case 'claim':
    case 'far-exp':
      // Well signed and unexpired: what the service makes of such a token is left open.
      return 'unknown';
    case 'expired':
      return fail([401, 'TOKEN_EXPIRED']);
    case 'refresh-typ':
      // A forged refresh token names no session, which may count as revoked first.
      return fail([403, 'WRONG_TOKEN_TYPE'], [401, 'TOKEN_REVOKED']);
    default:
      return fail([401, 'TOKEN_INVALID']);
  }
}

/** A JSON object with only the DTO's keys and no prototype key at any depth. */
function isAcceptableShape(body: unknown, fields: readonly string[]): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  if (Object.keys(body).some((key) => !fields.includes(key))) return false;
  return !hasPrototypeKey(body);
}

/** Walks without recursion: bodies nest thousands of levels deep. */
function hasPrototypeKey(body: object): boolean {
  const pending: unknown[] = [body];
  while (pending.length > 0) {
    const value = pending.pop();
    if (value === null || typeof value !== 'object') continue;
    for (const [key, child] of Object.entries(value)) {
      if (PROTOTYPE_KEYS.includes(key)) return true;
      pending.push(child);
    }
  }
  return false;
}
