/** Waits a while: for a lifetime to run out, or to see that nothing more arrives. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Reads until `settled` holds for the value read, pausing `intervalMs` between reads, and
 * resolves; past `timeoutMs` it throws what `timedOut` gives. An error thrown by `read` ends it
 * at once.
 */
async function poll<T>(
  read: () => T | Promise<T>,
  settled: (value: T) => boolean,
  timeoutMs: number,
  intervalMs: number,
  timedOut: () => unknown,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!settled(await read())) {
    if (Date.now() > deadline) throw timedOut();
    await sleep(intervalMs);
  }
}

/** Polls until the condition holds; fails with a clear message when it does not in time. */
export function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  return poll(
    condition,
    (met) => met,
    timeoutMs,
    intervalMs,
    () => new Error(`condition not met within ${timeoutMs} ms`),
  );
}

const EVENTUALLY_INTERVAL_MS = 50;

/**
 * Reads again until the expectation holds, like Playwright Test's web-first assertions
 * (playwright-core has none): `await eventually(() => locator.textContent()).toBe('Hi')`.
 * Past the time, the last failed expectation is what fails the test.
 */
export function eventually<T>(read: () => Promise<T>, timeoutMs = 5000) {
  const settle = (check: (value: T) => void): Promise<void> => {
    let failure: unknown;
    const passes = (value: T) => {
      try {
        check(value);
        return true;
      } catch (error) {
        failure = error;
        return false;
      }
    };
    return poll(read, passes, timeoutMs, EVENTUALLY_INTERVAL_MS, () => failure);
  };
  return {
    toBe: (expected: T) => settle((value) => expect(value).toBe(expected)),
    toMatch: (pattern: RegExp) => settle((value) => expect(value).toMatch(pattern)),
    toContain: (part: string) => settle((value) => expect(value).toContain(part)),
  };
}
