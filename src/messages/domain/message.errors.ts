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
