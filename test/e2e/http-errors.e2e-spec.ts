import { useTestApp } from './support/test-app';

function expectErrorBody(body: unknown, statusCode: number, code: string): void {
  expect(body).toEqual({
    statusCode,
    error: expect.any(String),
    code,
    message: expect.any(String),
  });
  expect(JSON.stringify(body)).not.toMatch(/at .+\.(js|ts):\d+/);
}

describe('HTTP error bodies', () => {
  const testApp = useTestApp();

  it('answers an unknown route with 404 NOT_FOUND', async () => {
    const response = await testApp.http.get('/no-such-route?token=secret').expect(404);
    expectErrorBody(response.body, 404, 'NOT_FOUND');
    expect(response.body.error).toBe('Not Found');
    expect(response.body.message).not.toContain('secret');
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const response = await testApp.http
      .post('/health')
      .set('Content-Type', 'application/json')
      .send('{"email": ')
      .expect(400);
    expectErrorBody(response.body, 400, 'MALFORMED_JSON');
    expect(response.body.error).toBe('Bad Request');
  });

  it('answers a body over 32 KiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await testApp.http
      .post('/health')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ text: 'x'.repeat(33 * 1024) }))
      .expect(413);
    expectErrorBody(response.body, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('accepts a body just under 32 KiB as far as parsing goes', async () => {
    const response = await testApp.http
      .post('/health')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ text: 'x'.repeat(31 * 1024) }));
    expect(response.status).toBe(404);
  });

  // An unknown route answers 404 whatever its body: the media type is judged on a real route.
  it('answers a non-JSON content type with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const response = await testApp.http
      .post('/auth/login')
      .set('Content-Type', 'text/plain')
      .send('hello')
      .expect(415);
    expectErrorBody(response.body, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a form body with 415 rather than parsing it', async () => {
    const response = await testApp.http
      .post('/auth/login')
      .type('form')
      .send({ email: 'a@b.c' })
      .expect(415);
    expectErrorBody(response.body, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a body without any Content-Type with 415', async () => {
    const response = await testApp.http
      .post('/health')
      .set('Content-Type', '')
      .send(Buffer.from('{"a":1}'))
      .expect(415);
    expectErrorBody(response.body, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a non-UTF-8 JSON charset with 415', async () => {
    const response = await testApp.http
      .post('/health')
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{}')
      .expect(415);
    expectErrorBody(response.body, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('echoes a sane X-Request-Id on errors too', async () => {
    const response = await testApp.http
      .post('/health')
      .set('X-Request-Id', 'client-req.42_a')
      .set('Content-Type', 'application/json')
      .send('{')
      .expect(400);
    expect(response.headers['x-request-id']).toBe('client-req.42_a');
  });
});
