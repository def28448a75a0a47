import { isDependencyFailure } from '../../../src/common/errors';

describe('isDependencyFailure', () => {
  it.each([
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['a pg pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['a dropped PostgreSQL connection', new Error('Connection terminated unexpectedly')],
    [
      'a PostgreSQL shutdown',
      Object.assign(new Error('terminating connection'), { code: '57P01' }),
    ],
    ['a PostgreSQL connection exception class', Object.assign(new Error('x'), { code: '08006' })],
    ['a statement timeout', Object.assign(new Error('canceling statement'), { code: '57014' })],
    [
      'a TypeORM error wrapping a driver error',
      Object.assign(new Error('query failed'), { driverError: { code: '57P03' } }),
    ],
    [
      'ioredis without a connection',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    ],
    ['an ioredis command timeout', new Error('Command timed out')],
    [
      'ioredis out of retries',
      Object.assign(new Error('Reached the max retries per request limit'), {
        name: 'MaxRetriesPerRequestError',
      }),
    ],
    [
      'a cause chain',
      new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'ECONNRESET' }) }),
    ],
  ])('recognises %s', (_case, error) => {
    expect(isDependencyFailure(error)).toBe(true);
  });

  it.each([
    ['a programming error', new TypeError('cannot read properties of undefined')],
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a syntax error in SQL', Object.assign(new Error('syntax error'), { code: '42601' })],
    ['a string', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('does not mistake %s for one', (_case, error) => {
    expect(isDependencyFailure(error)).toBe(false);
  });
});
