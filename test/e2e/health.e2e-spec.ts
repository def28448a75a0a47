import { useTestApp } from './support/test-app';
import { testRedisClusterNodes } from './support/test-environment';

/** On a cluster (the e2e-cluster project) the redis check also reports the cluster's state. */
const onCluster = testRedisClusterNodes() !== undefined;

describe('GET /health', () => {
  describe('with PostgreSQL and Redis up', () => {
    const testApp = useTestApp();

    it('answers 200 with both checks up', async () => {
      const response = await testApp.http.get('/health').expect(200);
      const cluster = { state: 'ok', masters: 3, mastersReachable: 3 };
      expect(response.body).toEqual({
        status: 'ok',
        checks: {
          database: { status: 'up' },
          redis: { status: 'up', ...(onCluster ? { cluster } : {}) },
        },
      });
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('sets the helmet security headers', async () => {
      const response = await testApp.http.get('/health').expect(200);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['x-powered-by']).toBeUndefined();
    });

    it('allows no cross-origin caller by default', async () => {
      const response = await testApp.http
        .get('/health')
        .set('Origin', 'https://elsewhere.example')
        .expect(200);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('with Redis unreachable', () => {
    // Port 1 on loopback: nothing listens there, so every connection is refused.
    const testApp = useTestApp({
      REDIS_URL: 'redis://127.0.0.1:1',
      ...(onCluster ? { REDIS_CLUSTER_NODES: '127.0.0.1:1' } : {}),
      REDIS_CONNECT_TIMEOUT: '1s',
    });

    it('answers 503 with redis down, within 2 seconds', async () => {
      const started = Date.now();
      const response = await testApp.http.get('/health').expect(503);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(response.body).toEqual({
        status: 'error',
        checks: { database: { status: 'up' }, redis: { status: 'down' } },
      });
    });
  });
});

describe('CORS', () => {
  const testApp = useTestApp({ CORS_ORIGINS: 'https://app.example, https://admin.example' });

  it('allows a configured origin and exposes the request id', async () => {
    const response = await testApp.http
      .get('/health')
      .set('Origin', 'https://admin.example')
      .expect(200);
    expect(response.headers['access-control-allow-origin']).toBe('https://admin.example');
    expect(response.headers['access-control-expose-headers']).toContain('X-Request-Id');
  });

  it('answers a preflight with the CORS headers and a request id', async () => {
    const response = await testApp.http
      .options('/messages')
      .set('Origin', 'https://app.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('X-Request-Id', 'preflight-1');
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(response.headers['x-request-id']).toBe('preflight-1');
  });

  it('does not allow an origin outside the list', async () => {
    const response = await testApp.http
      .get('/health')
      .set('Origin', 'https://evil.example')
      .expect(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});
