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
