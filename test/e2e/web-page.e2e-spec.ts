import { WEB_PAGE_CSP, WEB_PAGE_LANDINGS } from '../../src/common/http/web-page';
import { expectError } from './support/expectations';
import { useTestApp } from './support/test-app';

/** The page's files as the service serves them; the browser tests (test/browser) drive the page. */
describe('Web page /', () => {
  const testApp = useTestApp();

  it('serves the page at / with its own strict Content-Security-Policy', async () => {
    const response = await testApp.http.get('/').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toBe(WEB_PAGE_CSP);
    // Only its own scripts: no inline script anywhere in the page.
    expect(response.text.match(/<script\b[^>]*>/g)).toEqual([
      '<script type="module" src="/main.js">',
    ]);
  });

  it.each(WEB_PAGE_LANDINGS)('serves the page at %s, where a mailed link lands', async (path) => {
    const page = await testApp.http.get('/').expect(200);
    const landing = await testApp.http.get(path).expect(200);
    expect(landing.headers['content-type']).toMatch(/^text\/html/);
    expect(landing.headers['content-security-policy']).toBe(WEB_PAGE_CSP);
    expect(landing.text).toBe(page.text);
  });

  it.each(['/main.js', '/styles.css', '/favicon.svg'])('serves %s', async (path) => {
    const response = await testApp.http.get(path).expect(200);
    expect(response.headers['content-security-policy']).toBe(WEB_PAGE_CSP);
  });

  it('keeps the API’s 404 body for other paths, source maps included', async () => {
    expectError(await testApp.http.get('/main.js.map'), 404, 'NOT_FOUND');
    expectError(await testApp.http.get('/no-such-page'), 404, 'NOT_FOUND');
    expectError(await testApp.http.get('/verify-email/x'), 404, 'NOT_FOUND');
    expectError(await testApp.http.get('/reset-password/index.html'), 404, 'NOT_FOUND');
  });

  it('leaves the API and Swagger UI their own policy', async () => {
    const docs = await testApp.http.get('/docs').expect(200);
    expect(docs.headers['content-security-policy']).not.toBe(WEB_PAGE_CSP);
    const health = await testApp.http.get('/health');
    expect(health.headers['content-security-policy']).toContain("default-src 'self'");
  });
});
