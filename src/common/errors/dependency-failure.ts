const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  // PostgreSQL: the server is shutting down, starting up, out of connections, or cancelled a statement at its timeout.
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '57014',
]);

const CONNECTION_ERROR_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Query read timeout/i,
  /Connection is closed/i,
  /Stream isn't writeable/i,
  /Command timed out/i,
  /Reached the max retries per request limit/i,
  /Redis connection is not ready/i,
  /connect ECONNREFUSED/i,
];

/**
 * True when an error means PostgreSQL or Redis could not be reached in time, as opposed to
 * a bug or a rejected query. Such errors become 503 instead of 500.
 */
export function isDependencyFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    const candidate = current as { code?: unknown; message?: unknown; name?: unknown };
    const code = typeof candidate.code === 'string' ? candidate.code : '';
    if (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08')) return true;
    if (candidate.name === 'MaxRetriesPerRequestError') return true;
    const message = typeof candidate.message === 'string' ? candidate.message : '';
    if (CONNECTION_ERROR_MESSAGES.some((pattern) => pattern.test(message))) return true;
    current =
      (candidate as { driverError?: unknown }).driverError ??
      (candidate as { cause?: unknown }).cause;
  }
  return false;
}
