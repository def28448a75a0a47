const POLL_MS = 50;

/**
 * Reads the page again until the expectation holds, like Playwright Test's web-first assertions
 * (playwright-core has none): `await eventually(() => locator.textContent()).toBe('Hi')`.
 */
export function eventually<T>(read: () => Promise<T>, timeoutMs = 5000) {
  const settle = async (check: (value: T) => void): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      try {
        check(value);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };
  return {
    toBe: (expected: T) => settle((value) => expect(value).toBe(expected)),
    toMatch: (pattern: RegExp) => settle((value) => expect(value).toMatch(pattern)),
    toContain: (part: string) => settle((value) => expect(value).toContain(part)),
  };
}
