import type { HealthIndicatorService } from '@nestjs/terminus';

/**
 * Runs a ping and reports the dependency up, or down when it fails or does not answer in time;
 * `details` adds what the ping learnt to either answer.
 */
export async function pingCheck<Key extends string>(
  indicators: HealthIndicatorService,
  key: Key,
  ping: () => Promise<unknown>,
  timeoutMs: number,
  details: () => Record<string, unknown> = () => ({}),
) {
  const indicator = indicators.check(key);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([ping(), timeout]);
    return indicator.up(details());
  } catch (error) {
    return indicator.down({ message: (error as Error).message, ...details() });
  } finally {
    clearTimeout(timer);
  }
}
