import { startTestApp, type TestApp } from './support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('X-Request-Id', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });

  afterAll(() => testApp.close());

  it('is made when the request sends none', async () => {
    const response = await testApp.http.get('/health').expect(200);
    expect(response.headers['x-request-id']).toMatch(UUID);
  });

  it('is echoed when the request sends a sane one', async () => {
    const response = await testApp.http
      .get('/health')
      .set('X-Request-Id', 'abc.DEF_123-x')
      .expect(200);
    expect(response.headers['x-request-id']).toBe('abc.DEF_123-x');
  });

  it.each([
    ['with a space', 'abc def'],
    ['with a quote', 'abc"def'],
    ['longer than 128 characters', 'a'.repeat(129)],
    ['with non-ASCII letters', 'réq'],
  ])('is replaced when it is %s', async (_case, given) => {
    const response = await testApp.http.get('/health').set('X-Request-Id', given).expect(200);
    expect(response.headers['x-request-id']).toMatch(UUID);
  });

  it('accepts exactly 128 characters', async () => {
    const id = 'b'.repeat(128);
    const response = await testApp.http.get('/health').set('X-Request-Id', id).expect(200);
    expect(response.headers['x-request-id']).toBe(id);
  });
});
