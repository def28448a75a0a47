import { cursorValue, field, limitValue, values } from './arbitraries';
import { describeFuzz } from './fuzz-route';

describeFuzz('fuzzing the users routes', [
  { method: 'GET', path: '/users/me', access: 'user' },
  {
    method: 'PATCH',
    path: '/users/me',
    access: 'user',
    body: { firstName: field(values.name), lastName: field(values.name) },
  },
  // The fixture's passwords are random UUIDs: these two can fail in every way but succeed.
  {
    method: 'DELETE',
    path: '/users/me',
    access: 'user',
    body: { password: field(values.newPassword) },
  },
  {
    method: 'POST',
    path: '/users/me/password',
    access: 'user',
    body: { currentPassword: field(values.newPassword), newPassword: field(values.newPassword) },
  },
  {
    method: 'GET',
    path: '/users',
    access: 'admin',
    query: { limit: limitValue, cursor: cursorValue },
  },
  {
    method: 'GET',
    path: '/users/:id',
    access: 'admin',
    params: ['userId', 'adminId', 'targetId', 'deletedUserId'],
  },
  // Only the target may be disabled: the user and the admin sign the other requests.
  {
    method: 'POST',
    path: '/users/:id/disable',
    access: 'admin',
    params: ['targetId', 'deletedUserId'],
  },
  {
    method: 'POST',
    path: '/users/:id/enable',
    access: 'admin',
    params: ['targetId', 'deletedUserId'],
  },
]);
