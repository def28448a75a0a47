import fc from 'fast-check';
import { field, token, values } from './arbitraries';
import { describeFuzz, renewCaller } from './fuzz-route';

describeFuzz('fuzzing the auth routes', [
  {
    method: 'POST',
    path: '/auth/register',
    access: 'public',
    body: {
      firstName: field(values.name),
      lastName: field(values.name),
      email: field(values.email),
      password: field(values.newPassword),
    },
  },
  {
    method: 'POST',
    path: '/auth/login',
    access: 'public',
    body: {
      email: field(values.email),
      password: field(fc.oneof(values.newPassword, fc.constant({ ref: 'userPassword' } as const))),
    },
  },
  {
    method: 'POST',
    path: '/auth/refresh',
    access: 'public',
    body: { refreshToken: field(token.map((spec) => ({ token: spec }))) },
    // Only the user's live refresh token can succeed; its client keeps the rotated pair.
    afterSuccess: (fixture, { response }) => fixture.adopt('user', response.body),
  },
  { method: 'POST', path: '/auth/logout', access: 'user', afterSuccess: renewCaller },
  { method: 'POST', path: '/auth/logout-all', access: 'user', afterSuccess: renewCaller },
  { method: 'GET', path: '/auth/status', access: 'user' },
  { method: 'GET', path: '/auth/sessions', access: 'user' },
  {
    method: 'DELETE',
    path: '/auth/sessions/:id',
    access: 'user',
    params: ['userSessionId', 'otherSessionId'],
    afterSuccess: renewCaller,
  },
]);
