import { randomUUID } from 'node:crypto';
import type { ClientInfo } from '../../../src/common/identity';
import { UsersService } from '../../../src/users';
import type { AppUnderTest } from './test-app';

export interface TestAccount {
  readonly id: string;
  readonly email: string;
  readonly password: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

/** A fresh, unique email, so suites never collide in the shared test database. */
export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID()}@example.com`;
}

/** Registers a new user through the API and returns its credentials and first token pair. */
export async function registerAccount(
  testApp: AppUnderTest,
  overrides: Partial<{ email: string; password: string; firstName: string; lastName: string }> = {},
): Promise<TestAccount> {
  const body = {
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: uniqueEmail(),
    password: 'correct horse battery',
    ...overrides,
  };
  const response = await testApp.http.post('/auth/register').send(body).expect(201);
  return {
    id: response.body.user.id,
    email: response.body.user.email,
    password: body.password,
    accessToken: response.body.accessToken,
    refreshToken: response.body.refreshToken,
  };
}

/** Logs in through the API; returns the new token pair. */
export async function login(
  testApp: AppUnderTest,
  email: string,
  password: string,
): Promise<{ accessToken: string; refreshToken: string }> {
  const response = await testApp.http.post('/auth/login').send({ email, password }).expect(200);
  return { accessToken: response.body.accessToken, refreshToken: response.body.refreshToken };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The client of a call a test makes straight to a service: no request, so no address. */
export const NO_CLIENT: ClientInfo = { ip: null, userAgent: null, requestId: null };

/** The admin behind an admin's use case a test calls straight, past the route that names one. */
export const DIRECT_CALL_ADMIN_ID = '00000000-0000-4000-8000-00000000ad01';

/** Makes the user an admin the way the CLI's `promote` does, through the users facade. */
export async function promoteToAdmin(testApp: AppUnderTest, email: string): Promise<void> {
  await testApp.app.get(UsersService).promote(email);
}
