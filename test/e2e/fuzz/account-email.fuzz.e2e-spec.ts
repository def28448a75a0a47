import { field, values } from './arbitraries';
import { describeFuzz } from './fuzz-route';

describeFuzz('fuzzing the account-by-email routes', [
  // The generated tokens are never ones the service mailed: these fail in every way but succeed.
  {
    method: 'POST',
    path: '/auth/email/verify',
    access: 'public',
    body: { token: field(values.mailedToken) },
  },
  {
    method: 'POST',
    path: '/auth/email/change/confirm',
    access: 'public',
    body: { token: field(values.mailedToken) },
  },
  {
    method: 'POST',
    path: '/auth/password/reset',
    access: 'public',
    body: { token: field(values.mailedToken), newPassword: field(values.newPassword) },
  },
  {
    method: 'POST',
    path: '/auth/password/forgot',
    access: 'public',
    body: { email: field(values.email) },
  },
  { method: 'POST', path: '/auth/email/verify/request', access: 'user' },
  // The fixture's passwords are random UUIDs: this one fails in every way but succeeds.
  {
    method: 'POST',
    path: '/users/me/email',
    access: 'user',
    body: { newEmail: field(values.email), password: field(values.newPassword) },
  },
]);
