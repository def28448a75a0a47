export {
  DomainError,
  type ErrorKind,
  type FieldError,
  ServiceUnavailableError,
  TooManyRequestsError,
  ValidationFailedError,
} from './domain-error';
export { ErrorResponseDto, FieldErrorDto } from './error-response.dto';
export { toErrorBody } from './error-body';
export { HttpErrorFilter, type ProtocolErrorReply } from './http-error.filter';
export { HttpProblem } from './http-problem';
export { type DriverErrorLink, translateDriverError } from './dependency-failure';
export { TranslateErrors } from './translate-errors';
