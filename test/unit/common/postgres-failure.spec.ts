import { translatePostgresError } from '../../../src/common/database';
import { ServiceUnavailableError } from '../../../src/common/errors';

describe('translatePostgresError', () => {
  it.each([
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['a pg pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a query read timeout', new Error('Query read timeout')],
    ['a server shutdown', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['a server starting up', Object.assign(new Error('starting up'), { code: '57P03' })],
    ['too many connections', Object.assign(new Error('too many clients'), { code: '53300' })],
    ['a connection exception class', Object.assign(new Error('x'), { code: '08006' })],
    ['a statement timeout', Object.assign(new Error('canceling statement'), { code: '57014' })],
    [
      'a TypeORM error wrapping a driver error',
      Object.assign(new Error('query failed'), { driverError: { code: '57P03' } }),
    ],
    [
      'a cause chain',
      new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'ECONNRESET' }) }),
    ],
  ])('turns %s into ServiceUnavailableError, keeping it as the cause', (_case, error) => {
    const translated = translatePostgresError(error);
    expect(translated).toBeInstanceOf(ServiceUnavailableError);
    expect((translated as Error).cause).toBe(error);
  });

  it.each([
    ['a programming error', new TypeError('cannot read properties of undefined')],
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a syntax error in SQL', Object.assign(new Error('syntax error'), { code: '42601' })],
    [
      'an ioredis outage, which is not its driver’s',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    ],
    ['a string', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('lets %s through unchanged', (_case, error) => {
    expect(translatePostgresError(error)).toBe(error);
  });

  it('leaves an outage another adapter translated as it is', () => {
    const translated = new ServiceUnavailableError(undefined, {
      cause: Object.assign(new Error('terminating connection'), { code: '57P01' }),
    });
    expect(translatePostgresError(translated)).toBe(translated);
  });
});
