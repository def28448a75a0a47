import { STATUS_CODES } from 'node:http';
import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../errors/error-response.dto';

/** The codes every protected route may answer with, from the authentication guard. */
export const AUTH_ERRORS = {
  401: ['AUTH_REQUIRED', 'TOKEN_MALFORMED', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_REVOKED'],
  403: ['WRONG_TOKEN_TYPE'],
} as const;

/** The codes of an admin-only route: those of a protected one, and a caller who is not an admin. */
export const ADMIN_ERRORS = { ...AUTH_ERRORS, 403: [...AUTH_ERRORS[403], 'FORBIDDEN'] } as const;

/** The codes every route that reads a JSON body may answer with, before any use case runs. */
export const BODY_ERRORS = {
  400: ['MALFORMED_JSON', 'VALIDATION_FAILED'],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
} as const;

type ErrorCodesByStatus = Partial<Record<number, readonly string[]>>;

/**
 * Documents a route's error answers: each status with the error body and its possible codes.
 * Several maps merge, so `ApiErrors(AUTH_ERRORS, { 404: ['SESSION_NOT_FOUND'] })` works.
 */
export function ApiErrors(...maps: ErrorCodesByStatus[]): MethodDecorator {
  const merged = new Map<number, string[]>();
  for (const map of [...maps, { 503: ['SERVICE_UNAVAILABLE'] }]) {
    for (const [status, codes] of Object.entries(map)) {
      const list = merged.get(Number(status)) ?? [];
      merged.set(Number(status), [...new Set([...list, ...(codes ?? [])])]);
    }
  }
  return applyDecorators(
    ...[...merged.entries()].map(([status, codes]) =>
      ApiResponse({
        status,
        type: ErrorResponseDto,
        description: `${STATUS_CODES[status]}: ${codes.map((code) => `\`${code}\``).join(', ')}`,
      }),
    ),
  );
}
