import { HttpProblem } from './http-problem';

/**
 * Fastify's own refusals (unsupported media type, oversize or truncated body, bad URL) carry a
 * `FST_` code and a 4xx status; they become the API's error codes here.
 */
export function frameworkProblem(error: unknown): HttpProblem | undefined {
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  if (typeof code !== 'string' || !code.startsWith('FST_')) return undefined;
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  switch (statusCode) {
    case 413:
      return new HttpProblem(413, 'PAYLOAD_TOO_LARGE', 'Request body must be at most 32 KiB.');
    case 415:
      return new HttpProblem(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'Request body must be application/json.',
      );
    case 404:
      return new HttpProblem(404, 'NOT_FOUND', 'Route not found.');
    default:
      return new HttpProblem(400, 'BAD_REQUEST', 'Request could not be read.');
  }
}
