import { ServiceUnavailableError } from './domain-error';

/** What a driver's error looks like to a translator: the fields that name a failure. */
export interface DriverErrorLink {
  readonly code: string;
  readonly message: string;
  readonly name: string;
}

/** The socket failed: refused, reset, timed out or unreachable, whichever driver held it. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * A driver's error as an adapter lets it out: `ServiceUnavailableError` (503, the driver's error
 * as its cause) when it means the dependency could not be reached in time, unchanged otherwise.
 * Only the translator of each driver calls this, with what it recognises as that driver's outage;
 * the rest of the code branches on the type.
 */
export function translateDriverError(
  error: unknown,
  isOutage: (link: DriverErrorLink) => boolean,
): unknown {
  if (error instanceof ServiceUnavailableError) return error;
  return isDependencyFailure(error, isOutage)
    ? new ServiceUnavailableError(undefined, { cause: error })
    : error;
}

/** Network failures and `isOutage` along the chain of wrapped errors (`cause`, TypeORM's `driverError`). */
function isDependencyFailure(
  error: unknown,
  isOutage: (link: DriverErrorLink) => boolean,
): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    const candidate = current as { code?: unknown; message?: unknown; name?: unknown };
    const link: DriverErrorLink = {
      code: typeof candidate.code === 'string' ? candidate.code : '',
      message: typeof candidate.message === 'string' ? candidate.message : '',
      name: typeof candidate.name === 'string' ? candidate.name : '',
    };
    if (NETWORK_ERROR_CODES.has(link.code) || /connect ECONNREFUSED/i.test(link.message)) {
      return true;
    }
    if (isOutage(link)) return true;
    current =
      (candidate as { driverError?: unknown }).driverError ??
      (candidate as { cause?: unknown }).cause;
  }
  return false;
}
