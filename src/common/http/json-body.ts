import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from '../errors/http-problem';

export const MAX_BODY_BYTES = 32 * 1024;

/** `application/json` and the structured-syntax `+json` types (`application/merge-patch+json`). */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.!#$&^-]+\+)?json(?:;|$)/;
const UTF8 = /^utf-?8$/i;

/**
 * JSON is the only body the API reads. Every other media type is refused by Fastify with 415
 * before any handler or guard runs (see `frameworkProblem`).
 *
 * Plain `JSON.parse`: a `__proto__` or `constructor` key becomes an ordinary own property (it
 * never reaches a prototype), and validation refuses it by name like any unknown field, which
 * says more to the caller than "malformed".
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance): void {
  // Judged from the headers, before a byte of the body is read.
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const refusal = hasBody(request) ? unreadableEncoding(request) : undefined;
    if (refusal) done(refusal);
    else done(null, payload);
  });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    JSON_MEDIA_TYPE,
    { parseAs: 'string', bodyLimit: MAX_BODY_BYTES },
    (_request, text, done) => {
      // An empty body reads as an empty object, so validation names the missing fields.
      if (text.length === 0) return done(null, {});
      let body: unknown;
      try {
        body = JSON.parse(text.toString());
      } catch {
        return done(new HttpProblem(400, 'MALFORMED_JSON', 'Request body is not valid JSON.'));
      }
      done(null, body);
    },
  );
}

/** Fastify reads no body for GET and HEAD, nor one announced as empty. */
function hasBody(request: FastifyRequest): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return false;
  return (
    request.headers['transfer-encoding'] !== undefined ||
    Number(request.headers['content-length'] ?? 0) !== 0
  );
}

/** Bodies must be plain UTF-8: compressed or otherwise encoded bodies are not read. */
function unreadableEncoding(request: FastifyRequest): HttpProblem | undefined {
  const encoding = request.headers['content-encoding'];
  const charset = /;\s*charset="?([^";\s]*)/i.exec(request.headers['content-type'] ?? '')?.[1];
  if ((encoding && encoding.toLowerCase() !== 'identity') || (charset && !UTF8.test(charset))) {
    return new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be UTF-8 JSON.');
  }
  return undefined;
}
