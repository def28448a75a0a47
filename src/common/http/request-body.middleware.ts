import { Injectable, type NestMiddleware } from '@nestjs/common';
import { json, type NextFunction, type Request, type Response } from 'express';
import { HttpProblem } from '../errors/http-problem';

export const MAX_BODY_BYTES = 32 * 1024;
const JSON_TYPES = ['application/json', 'application/*+json'];

const parseJson = json({ limit: MAX_BODY_BYTES, strict: false, type: JSON_TYPES });

/**
 * Reads JSON request bodies, and turns every way a body can be unreadable into the API's error
 * codes before authentication runs: a non-JSON body is 415, an oversize one 413, a broken one 400.
 * Top-level values that are not objects are parsed here and rejected by validation.
 */
@Injectable()
export class RequestBodyMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    if (hasBody(request) && !request.is(JSON_TYPES)) {
      next(
        new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json.'),
      );
      return;
    }
    parseJson(request, response, (error?: unknown) =>
      next(error ? toBodyProblem(error) : undefined),
    );
  }
}

/** A body is present when it has bytes: an empty POST without a content type is fine. */
function hasBody(request: Request): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(request.headers['content-length'] ?? 0);
  return Number.isNaN(length) || length > 0;
}

function toBodyProblem(error: unknown): HttpProblem {
  switch ((error as { type?: string }).type) {
    case 'entity.too.large':
      return new HttpProblem(413, 'PAYLOAD_TOO_LARGE', 'Request body must be at most 32 KiB.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be UTF-8 JSON.');
    case 'entity.parse.failed':
      return new HttpProblem(400, 'MALFORMED_JSON', 'Request body is not valid JSON.');
    default:
      return new HttpProblem(400, 'BAD_REQUEST', 'Request body could not be read.');
  }
}
