import { type DriverErrorLink, translateDriverError } from '../errors/dependency-failure';

/** The server is shutting down, starting up, out of connections, or cancelled a statement at its timeout. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

/** What pg says when a connection drops, the pool waits too long, or a query read times out. */
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Query read timeout/i,
];

/**
 * A pg or TypeORM error as the adapters let it out: an outage becomes `ServiceUnavailableError`
 * (503), anything else (a bug, a rejected query) stays as it is.
 */
export function translatePostgresError(error: unknown): unknown {
  return translateDriverError(error, isPostgresOutage);
}

function isPostgresOutage({ code, message }: DriverErrorLink): boolean {
  // Class 08: connection exceptions.
  if (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) return true;
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
}
