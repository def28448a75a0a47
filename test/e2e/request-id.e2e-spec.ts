import { UUID_V4 } from './support/formats';
import { useTestApp } from './support/test-app';

describe('X-Request-Id', () => {
  const testApp = useTestApp();

  it('is made when the request sends none', async () => {
    const response = await testApp.http.get('/health').expect(200);
    expect(response.headers['x-request-id']).toMatch(UUID_V4);
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
    expect(response.headers['x-request-id']).toMatch(UUID_V4);
  });

  it('accepts exactly 128 characters', async () => {
    const id = 'b'.repeat(128);
    const response = await testApp.http.get('/health').set('X-Request-Id', id).expect(200);
    expect(response.headers['x-request-id']).toBe(id);
  });
});
