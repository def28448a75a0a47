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
