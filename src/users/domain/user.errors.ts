import { DomainError } from '../../common/errors/domain-error';

export class EmailTakenError extends DomainError {
  readonly code = 'EMAIL_TAKEN';
  readonly kind = 'conflict';

  constructor() {
    super('User already exists. Please log in.');
  }
}

export class UserNotFoundError extends DomainError {
  readonly code = 'USER_NOT_FOUND';
  readonly kind = 'not_found';

  constructor() {
    super('User not found.');
  }
}

export class WrongPasswordError extends DomainError {
  readonly code = 'WRONG_PASSWORD';
  readonly kind = 'invalid';

  constructor() {
    super('Password is incorrect.');
  }
}

export class EmailAlreadyVerifiedError extends DomainError {
  readonly code = 'EMAIL_ALREADY_VERIFIED';
  readonly kind = 'conflict';

  constructor() {
    super('This email address is verified already.');
  }
}

/** Unknown, used, expired, or made for another purpose or address: one answer for all. */
export class EmailTokenInvalidError extends DomainError {
  readonly code = 'EMAIL_TOKEN_INVALID';
  readonly kind = 'invalid';

  constructor() {
    super('This link is invalid or has expired.');
  }
}

export class ResetTokenInvalidError extends DomainError {
  readonly code = 'RESET_TOKEN_INVALID';
  readonly kind = 'invalid';

  constructor() {
    super('This password reset link is invalid or has expired. Please ask for a new one.');
  }
}
