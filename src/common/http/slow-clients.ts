import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { AppSettings } from '../config/app-config';

/**
 * A socket with no traffic either way for this long is closed: far above the live stream's 15 s
 * heartbeat and any handler's wait (PostgreSQL and Redis calls give up within seconds). An idle
 * keep-alive connection follows Fastify's keepAliveTimeout (72 s) instead.
 */
const IDLE_SOCKET_TIMEOUT_MS = 60_000;

/** How often Node looks for requests past their deadline; its default of 30 s lets them overrun. */
const DEADLINE_CHECK_INTERVAL_MS = 1000;

/** Node's own words for the client errors it hands to the server. */
const CLIENT_ERRORS: Record<string, readonly [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'The request was not received in time.'],
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'Request headers are too large.'],
};
const UNREADABLE: readonly [number, string, string] = [
  400,
  'BAD_REQUEST',
  'Request could not be read.',
];

/**
 * Fastify options that bound how long a client may hold a connection: the whole request (headers
 * and body) within `requestTimeoutMs`, or 408; no socket silent for a minute. A request whose
 * body is complete is no longer timed, so the live stream stays open as long as it likes.
 */
export function slowClientOptions(http: AppSettings['http']) {
  return {
    requestTimeout: http.requestTimeoutMs,
    connectionTimeout: IDLE_SOCKET_TIMEOUT_MS,
    http: {
      requestTimeout: http.requestTimeoutMs,
      // Node enforces requestTimeout on the body only when headersTimeout (60 s by default) is
      // not longer.
      headersTimeout: http.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(DEADLINE_CHECK_INTERVAL_MS, http.requestTimeoutMs),
    },
    clientErrorHandler: answerClientError,
  };
}

/**
 * A request Node gave up on before any handler could answer (past its deadline, oversized
 * headers, not HTTP at all) gets the API's error body, then the connection is closed.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection is gone already: there is no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = CLIENT_ERRORS[error.code ?? ''] ?? UNREADABLE;
  // As Node's own handler does: never write into a response that has begun.
  const response = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (socket.writable && !response?.headersSent) {
    const reason = STATUS_CODES[status] ?? 'Error';
    const body = JSON.stringify({ statusCode: status, error: reason, code, message });
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}
