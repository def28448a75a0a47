import { DomainError } from '../../common/errors/domain-error';

export class AuthRequiredError extends DomainError {
  readonly code = 'AUTH_REQUIRED';
  readonly kind = 'unauthenticated';
  constructor() {
    super('Provide a valid auth token.');
  }
}

export class TokenMalformedError extends DomainError {
  readonly code = 'TOKEN_MALFORMED';
  readonly kind = 'unauthenticated';
  constructor() {
    super('Bearer token malformed.');
  }
}

export class TokenInvalidError extends DomainError {
  readonly code = 'TOKEN_INVALID';
  readonly kind = 'unauthenticated';
  constructor() {
    super('Invalid token. Please log in again.');
  }
}

export class TokenExpiredError extends DomainError {
  readonly code = 'TOKEN_EXPIRED';
  readonly kind = 'unauthenticated';
  constructor() {
    super('Signature expired. Please log in again.');
  }
}

export class TokenRevokedError extends DomainError {
  readonly code = 'TOKEN_REVOKED';
  readonly kind = 'unauthenticated';
  constructor() {
    super('Token blacklisted. Please log in again.');
  }
}

export class WrongTokenTypeError extends DomainError {
  readonly code = 'WRONG_TOKEN_TYPE';
  readonly kind = 'forbidden';
  /** The default is the answer to a refresh token sent as an access token. */
  constructor(message = 'Do not use refresh token.') {
    super(message);
  }
}

export class InvalidCredentialsError extends DomainError {
  readonly code = 'INVALID_CREDENTIALS';
  readonly kind = 'unauthenticated';
  constructor() {
    super('Invalid email or password.');
  }
}

export class UserDisabledError extends DomainError {
  readonly code = 'USER_DISABLED';
  readonly kind = 'forbidden';
  constructor() {
    super('This account is disabled.');
  }
}

export class RefreshInvalidError extends DomainError {
  readonly code = 'REFRESH_INVALID';
  readonly kind = 'forbidden';
  constructor() {
    super('Invalid refresh token. Please log in again.');
  }
}

export class RefreshReusedError extends DomainError {
  readonly code = 'REFRESH_REUSED';
  readonly kind = 'forbidden';
  constructor() {
    super('Refresh token already used. The session has been revoked; please log in again.');
  }
}

export class SessionNotFoundError extends DomainError {
  readonly code = 'SESSION_NOT_FOUND';
  readonly kind = 'not_found';
  constructor() {
    super('Session not found.');
  }
}

export class EmailNotVerifiedError extends DomainError {
  readonly code = 'EMAIL_NOT_VERIFIED';
  readonly kind = 'forbidden';
  constructor() {
    super('Verify your email address before logging in: open the link we mailed you.');
  }
}
