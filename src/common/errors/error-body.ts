import { STATUS_CODES } from 'node:http';
import { HttpException, type LoggerService } from '@nestjs/common';
import {
  DomainError,
  type ErrorKind,
  ServiceUnavailableError,
  ValidationFailedError,
} from './domain-error';
import type { ErrorResponseDto } from './error-response.dto';
import { frameworkProblem } from './framework-problem';
import { HttpProblem } from './http-problem';
import { loggableError } from '../logging/loggable-error';

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
};

/** Codes for HTTP exceptions raised by the framework itself (for example a guard returning false). */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'AUTH_REQUIRED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * Any failure as the API's error body: the one mapping of domain errors, framework refusals and
 * dependency outages to statuses and codes, shared by every transport. Unexpected errors are
 * logged with their detail (the request id comes from the request context) and described
 * generically.
 */
export function toErrorBody(exception: unknown, logger: LoggerService): ErrorResponseDto {
  if (exception instanceof DomainError) {
    // An adapter's translated outage: the driver's error says which dependency and why.
    if (exception instanceof ServiceUnavailableError && exception.cause !== undefined) {
      logger.warn({ err: loggableError(exception.cause) }, 'A dependency is unavailable');
    }
    const body = errorBody(STATUS_BY_KIND[exception.kind], exception.code, exception.message);
    return exception instanceof ValidationFailedError
      ? { ...body, details: exception.details }
      : body;
  }
  const problem = exception instanceof HttpProblem ? exception : frameworkProblem(exception);
  if (problem) return errorBody(problem.status, problem.code, problem.message);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return errorBody(404, 'NOT_FOUND', 'Route not found.');
    if (status < 500) {
      return errorBody(status, CODE_BY_STATUS[status] ?? 'BAD_REQUEST', messageOf(exception));
    }
  }
  logger.error({ err: loggableError(exception) }, 'Unhandled error');
  return errorBody(500, 'INTERNAL_ERROR', 'Internal server error.');
}

function errorBody(statusCode: number, code: string, message: string): ErrorResponseDto {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message };
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return typeof message === 'string' ? message : exception.message;
}
