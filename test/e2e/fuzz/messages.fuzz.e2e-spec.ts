import { cursorValue, field, limitValue, values } from './arbitraries';
import { describeFuzz } from './fuzz-route';

describeFuzz('fuzzing the messages routes', [
  {
    method: 'GET',
    path: '/messages',
    access: 'public',
    query: { limit: limitValue, cursor: cursorValue },
  },
  {
    method: 'GET',
    path: '/messages/:id',
    access: 'public',
    params: ['userMessageId', 'otherMessageId'],
  },
  {
    method: 'POST',
    path: '/messages',
    access: 'user',
    body: { message: field(values.message), ttlSeconds: field(values.ttlSeconds) },
  },
  {
    method: 'DELETE',
    path: '/messages/:id',
    access: 'user',
    params: ['userMessageId', 'otherMessageId'],
    afterSuccess: (fixture) => fixture.restoreMessages(),
  },
]);
