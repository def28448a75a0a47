import { STATUS_CODES } from 'node:http';
import type { Response } from 'supertest';

/** The exact error body of API.md; `details` (field and messages) only for VALIDATION_FAILED. */
export function expectError(
  response: Response,
  status: number,
  code: string,
  message?: string,
): void {
  const details =
    code === 'VALIDATION_FAILED'
      ? {
          details: expect.arrayContaining([
            { field: expect.any(String), messages: expect.arrayContaining([expect.any(String)]) },
          ]),
        }
      : {};
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: {
      statusCode: status,
      error: STATUS_CODES[status],
      code,
      message: message ?? expect.any(String),
      ...details,
    },
  });
}

/** 400 VALIDATION_FAILED whose `details` name each of `fields`, every detail with its messages. */
export function expectValidationFailed(
  response: Response,
  fields: string | readonly string[],
): void {
  expectError(response, 400, 'VALIDATION_FAILED');
  const details = response.body.details as { field: string }[];
  for (const detail of details) {
    expect(detail).toEqual({
      field: expect.any(String),
      messages: expect.arrayContaining([expect.any(String)]),
    });
  }
  expect(details.map((detail) => detail.field)).toEqual(expect.arrayContaining([fields].flat()));
}

/** 429 TOO_MANY_REQUESTS with a `Retry-After` of whole seconds, from 1 to `maxRetryAfter`. */
export function expectTooManyRequests(response: Response, maxRetryAfter: number): void {
  expectError(response, 429, 'TOO_MANY_REQUESTS');
  const retryAfter = response.headers['retry-after'];
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(maxRetryAfter);
}
