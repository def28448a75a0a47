import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startTestApp, type TestApp } from '../../e2e/support/test-app';

/** A loopback port that is free now, for a service that must know its URL before it listens. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Boots the app with `PUBLIC_URL` set to its own loopback address, then listens there: the links
 * it mails open the page under test, as they open the real page in production.
 */
export async function startAppAtPublicUrl(
  overrides: Record<string, string>,
): Promise<{ testApp: TestApp; baseUrl: string }> {
  const port = await freeLoopbackPort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const testApp = await startTestApp({ ...overrides, PUBLIC_URL: baseUrl });
  await testApp.app.listen(port, '127.0.0.1');
  return { testApp, baseUrl };
}
