import type { LoggerService } from '@nestjs/common';
import { ServiceUnavailableError, toErrorBody } from '../../../src/common/errors';

/** Keeps what was logged, by level. */
function recordingLogger() {
  const logged: { level: string; entry: unknown }[] = [];
  const record = (level: string) => (entry: unknown) => void logged.push({ level, entry });
  const logger: LoggerService = {
    log: record('log'),
    warn: record('warn'),
    error: record('error'),
  };
  return { logger, logged };
}

describe('toErrorBody with dependency failures', () => {
  it('answers a translated outage with 503 and logs the driver’s error as a warning', () => {
    const { logger, logged } = recordingLogger();
    const driverError = Object.assign(new Error('terminating connection'), { code: '57P01' });

    expect(
      toErrorBody(new ServiceUnavailableError(undefined, { cause: driverError }), logger),
    ).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'SERVICE_UNAVAILABLE',
      message: 'Service temporarily unavailable. Please retry shortly.',
    });
    expect(logged).toEqual([
      {
        level: 'warn',
        entry: {
          err: expect.objectContaining({ message: 'terminating connection', code: '57P01' }),
        },
      },
    ]);
  });

  it('branches on the type, not on the text: an untranslated driver error is a 500', () => {
    const { logger, logged } = recordingLogger();
    const untranslated = new Error(
      "Stream isn't writeable and enableOfflineQueue options is false",
    );

    expect(toErrorBody(untranslated, logger)).toEqual(
      expect.objectContaining({ statusCode: 500, code: 'INTERNAL_ERROR' }),
    );
    expect(logged.map(({ level }) => level)).toEqual(['error']);
  });
});
