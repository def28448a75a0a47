import { DomainError } from '../../common/errors/domain-error';

export class MfaCodeInvalidError extends DomainError {
  readonly code = 'MFA_CODE_INVALID';
  readonly kind = 'invalid';
  constructor() {
    super('Invalid two-factor code.');
  }
}

/** The `mfaToken` of a login's second step is unknown, expired, used, or spent on wrong codes. */
export class MfaTokenInvalidError extends DomainError {
  readonly code = 'MFA_TOKEN_INVALID';
  readonly kind = 'unauthenticated';
  constructor() {
    super('Two-factor sign-in expired. Please log in again.');
  }
}

export class MfaAlreadyEnabledError extends DomainError {
  readonly code = 'MFA_ALREADY_ENABLED';
  readonly kind = 'conflict';
  constructor() {
    super('Two-factor authentication is already enabled.');
  }
}

export class MfaSetupRequiredError extends DomainError {
  readonly code = 'MFA_SETUP_REQUIRED';
  readonly kind = 'conflict';
  constructor() {
    super('Set up two-factor authentication first.');
  }
}

export class MfaNotEnabledError extends DomainError {
  readonly code = 'MFA_NOT_ENABLED';
  readonly kind = 'conflict';
  constructor() {
    super('Two-factor authentication is not enabled.');
  }
}
