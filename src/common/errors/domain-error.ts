/**
 * What kind of failure a domain error is. The HTTP layer maps kinds to statuses,
 * so domain code never speaks HTTP.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'unavailable';

/** A failure the caller can act on, with a stable machine-readable code. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly kind: ErrorKind;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface FieldError {
  readonly field: string;
  readonly messages: string[];
}

export class ValidationFailedError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  readonly kind = 'invalid';

  constructor(
    readonly details: FieldError[],
    message = 'Request validation failed.',
  ) {
    super(message);
  }
}

export class TooManyRequestsError extends DomainError {
  readonly code = 'TOO_MANY_REQUESTS';
  readonly kind = 'rate_limited';

  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests. Please try again later.',
  ) {
    super(message);
  }
}

/**
 * PostgreSQL or Redis could not answer; the request may succeed when retried. Adapters raise it
 * in place of their driver's outage errors, which travel along as the `cause`.
 */
export class ServiceUnavailableError extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';
  readonly kind = 'unavailable';

  constructor(
    message = 'Service temporarily unavailable. Please retry shortly.',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
