import { DomainError } from '../../common/errors/domain-error';

export class MessageNotFoundError extends DomainError {
  readonly code = 'MESSAGE_NOT_FOUND';
  readonly kind = 'not_found';
  constructor() {
    super('Message not found.');
  }
}

export class MessageDeleteForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  readonly kind = 'forbidden';
  constructor() {
    super('Only the author or an admin can delete this message.');
  }
}

/**
 * The author's account was deleted while its post was under way. Answered as the authentication
 * guard answers a deleted account's token, which by then is revoked.
 */
export class AuthorDeletedError extends DomainError {
  readonly code = 'TOKEN_REVOKED';
  readonly kind = 'unauthenticated';
  constructor() {
    super('Token blacklisted. Please log in again.');
  }
}
