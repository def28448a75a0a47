import { ConfigError, loadConfig } from '../../../src/common/config';

const STRONG_SECRET = 'a-production-secret-of-at-least-32-chars';
const MFA_KEY = { MFA_ENCRYPTION_KEY: 'a-production-mfa-key-of-at-least-32-chars' };

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('starts with no variables at all, using the documented defaults', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.port).toBe(3000);
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/tempmessenger');
    expect(config.database.migrationsRun).toBe(true);
    expect(config.redis).toEqual(
      expect.objectContaining({ url: 'redis://127.0.0.1:6379', keyPrefix: 'tm:' }),
    );
    expect(config.jwt).toEqual(
      expect.objectContaining({
        issuer: 'tempmessenger',
        audience: 'tempmessenger',
        accessTtlSeconds: 900,
        refreshTtlSeconds: 14 * 86400,
        refreshReuseIntervalSeconds: 10,
        sessionMaxLifetimeSeconds: 30 * 86400,
      }),
    );
    expect(config.bcryptCost).toBe(12);
    expect(config.throttling).toEqual({
      loginMaxFailures: 5,
      loginFailureWindowSeconds: 900,
      authIpLimit: 30,
      publicReadLimit: 600,
    });
    expect(config.messages).toEqual({
      defaultTtlSeconds: 300,
      maxTtlSeconds: 86400,
      postLimit: 30,
    });
    expect(config.prune).toEqual({
      cron: '*/10 * * * *',
      batchSize: 5000,
      auditRetentionSeconds: 90 * 24 * 3600,
    });
    expect(config.log).toEqual({
      dir: 'logs',
      level: 'info',
      maxSize: '10M',
      maxFiles: 10,
      stdout: true,
    });
    expect(config.corsOrigins).toEqual([]);
    expect(config.docsEnabled).toBe(true);
    expect(config.metrics).toEqual({ enabled: true, host: '127.0.0.1', port: 9464 });
    expect(config.sseMaxClients).toBe(1000);
    expect(config.sseMaxClientsPerIp).toBe(20);
    expect(config.sseMaxStreamAgeMs).toBe(3_600_000);
    expect(config.sseReplayWindow).toBe(1000);
    expect(config.rpcMaxBatch).toBe(50);
    expect(config.trustProxy).toBe(false);
    expect(config.http).toEqual({ requestTimeoutMs: 30_000, maxConnections: 5000 });
  });

  it('generates a JWT secret in development, and says so', () => {
    const first = loadConfig({});
    const second = loadConfig({});
    expect(first.jwt.secretGenerated).toBe(true);
    expect(first.jwt.secret.length).toBeGreaterThanOrEqual(32);
    expect(first.jwt.secret).not.toBe(second.jwt.secret);
  });

  it('uses a given JWT secret as is', () => {
    const config = loadConfig({ JWT_SECRET: 'short-is-fine-in-development' });
    expect(config.jwt).toEqual(
      expect.objectContaining({ secret: 'short-is-fine-in-development', secretGenerated: false }),
    );
  });

  it('refuses to start in production without a JWT secret', () => {
    expect(configError({ NODE_ENV: 'production' })).toBe(
      'Invalid configuration: JWT_SECRET is required when NODE_ENV=production',
    );
  });

  it('refuses a JWT secret under 32 characters in production', () => {
    expect(configError({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(31) })).toBe(
      'Invalid configuration: JWT_SECRET must be at least 32 characters when NODE_ENV=production',
    );
    expect(
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET, ...MFA_KEY }).jwt.secret,
    ).toBe(STRONG_SECRET);
  });

  it('refuses to start in production without an MFA encryption key, and any key under 32 characters', () => {
    expect(configError({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET })).toBe(
      'Invalid configuration: MFA_ENCRYPTION_KEY is required when NODE_ENV=production (32+ characters)',
    );
    expect(configError({ MFA_ENCRYPTION_KEY: 'k'.repeat(31) })).toBe(
      'Invalid configuration: MFA_ENCRYPTION_KEY must be at least 32 characters',
    );
    expect(configError({ MFA_PREVIOUS_ENCRYPTION_KEYS: `${'k'.repeat(32)}, short` })).toBe(
      'Invalid configuration: MFA_PREVIOUS_ENCRYPTION_KEYS: every key must be at least 32 characters',
    );
  });

  it('generates an MFA key outside production, and reads the previous keys as a list', () => {
    const generated = loadConfig({}).mfa;
    expect(generated.encryptionKeyGenerated).toBe(true);
    expect(generated.encryptionKey.length).toBeGreaterThanOrEqual(32);
    const given = loadConfig({
      MFA_ENCRYPTION_KEY: 'n'.repeat(32),
      MFA_PREVIOUS_ENCRYPTION_KEYS: ` ${'a'.repeat(32)} ,${'b'.repeat(40)},`,
    }).mfa;
    expect(given).toEqual({
      encryptionKey: 'n'.repeat(32),
      encryptionKeyGenerated: false,
      previousEncryptionKeys: ['a'.repeat(32), 'b'.repeat(40)],
    });
  });

  it('refuses TRUST_PROXY=true in production, in one line that says what to give instead', () => {
    const message = configError({
      NODE_ENV: 'production',
      JWT_SECRET: STRONG_SECRET,
      ...MFA_KEY,
      TRUST_PROXY: 'true',
    });
    expect(message).toBe(
      'Invalid configuration: TRUST_PROXY=true trusts every hop, so any client picks its own address with X-Forwarded-For; give the number of proxies in front, e.g. TRUST_PROXY=1',
    );
    expect(
      loadConfig({
        NODE_ENV: 'production',
        JWT_SECRET: STRONG_SECRET,
        ...MFA_KEY,
        TRUST_PROXY: '1',
      }).trustProxy,
    ).toBe(1);
  });

  it('accepts TRUST_PROXY=true outside production (the start warns about it)', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test', TRUST_PROXY: 'TRUE' }).trustProxy).toBe(true);
  });

  it('reads the request deadline and the connection cap', () => {
    expect(loadConfig({ HTTP_REQUEST_TIMEOUT: '5s', HTTP_MAX_CONNECTIONS: '200' }).http).toEqual({
      requestTimeoutMs: 5000,
      maxConnections: 200,
    });
  });

  it('reads durations as ms-style strings or seconds', () => {
    const config = loadConfig({
      ACCESS_TOKEN_TTL: '3s',
      REFRESH_TOKEN_TTL: '7d',
      LOGIN_FAILURE_WINDOW: '120',
    });
    expect(config.jwt.accessTtlSeconds).toBe(3);
    expect(config.jwt.refreshTtlSeconds).toBe(7 * 86400);
    expect(config.throttling.loginFailureWindowSeconds).toBe(120);
  });

  it('takes REFRESH_REUSE_INTERVAL=0 (off), but no zero SESSION_MAX_LIFETIME', () => {
    expect(loadConfig({ REFRESH_REUSE_INTERVAL: '0' }).jwt.refreshReuseIntervalSeconds).toBe(0);
    expect(loadConfig({ SESSION_MAX_LIFETIME: '2s' }).jwt.sessionMaxLifetimeSeconds).toBe(2);
    expect(configError({ SESSION_MAX_LIFETIME: '0' })).toContain('SESSION_MAX_LIFETIME');
    expect(configError({ REFRESH_REUSE_INTERVAL: '-1s' })).toContain('REFRESH_REUSE_INTERVAL');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '' }).port).toBe(3000);
  });

  it('reads the metrics listener, and keeps it off the public port', () => {
    expect(
      loadConfig({ METRICS_ENABLED: 'false', METRICS_HOST: '0.0.0.0', METRICS_PORT: '9100' })
        .metrics,
    ).toEqual({ enabled: false, host: '0.0.0.0', port: 9100 });
    expect(configError({ PORT: '9464' })).toBe(
      'Invalid configuration: METRICS_PORT must differ from PORT (metrics are never served on the public port)',
    );
    // Off, or on any free port, it cannot take the public one.
    expect(loadConfig({ PORT: '9464', METRICS_ENABLED: 'false' }).port).toBe(9464);
    expect(loadConfig({ PORT: '0', METRICS_PORT: '0' }).metrics.port).toBe(0);
  });

  it('reads REDIS_CLUSTER_NODES as the seed nodes of a cluster, IPv6 in brackets', () => {
    expect(loadConfig({}).redis.clusterNodes).toEqual([]);
    const config = loadConfig({
      REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, [::1]:7001,redis-3:7002 ',
      // A db 0 URL (explicit or not) is fine: its password also opens the nodes.
      REDIS_URL: 'redis://:secret@ignored:6379/0',
    });
    expect(config.redis.clusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '::1', port: 7001 },
      { host: 'redis-3', port: 7002 },
    ]);
  });

  it('splits CORS_ORIGINS on commas', () => {
    expect(
      loadConfig({ CORS_ORIGINS: ' https://a.example ,https://b.example,' }).corsOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be an integer from 0 to 65535 (got "abc")'],
    [{ PORT: '70000' }, 'PORT must be an integer from 0 to 65535 (got "70000")'],
    [{ BCRYPT_COST: '3' }, 'BCRYPT_COST must be an integer from 4 to 15 (got "3")'],
    [
      { PUBLIC_READ_LIMIT: '-1' },
      'PUBLIC_READ_LIMIT must be an integer from 0 to 1000000 (got "-1")',
    ],
    [{ ACCESS_TOKEN_TTL: 'soon' }, 'ACCESS_TOKEN_TTL must be a duration such as 30s, 15m or 14d'],
    [{ ACCESS_TOKEN_TTL: '0s' }, 'ACCESS_TOKEN_TTL must be a duration'],
    [
      { DATABASE_URL: 'mysql://localhost/db' },
      'DATABASE_URL must be a URL starting with postgres://',
    ],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL must be a URL starting with redis://'],
    [
      { REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2' },
      'REDIS_CLUSTER_NODES must be host:port pairs separated by commas',
    ],
    [{ REDIS_CLUSTER_NODES: 'a:70000' }, 'REDIS_CLUSTER_NODES must be host:port pairs'],
    [{ REDIS_CLUSTER_NODES: 'redis://a:7000' }, 'REDIS_CLUSTER_NODES must be host:port pairs'],
    [{ REDIS_CLUSTER_NODES: '[::1:7000' }, 'REDIS_CLUSTER_NODES must be host:port pairs'],
    [{ REDIS_CLUSTER_NODES: ' , ' }, 'REDIS_CLUSTER_NODES must be host:port pairs'],
    [
      { REDIS_CLUSTER_NODES: 'a:7000', REDIS_URL: 'redis://a:6379/3' },
      'REDIS_URL selects db 3, but REDIS_CLUSTER_NODES is set and a Redis Cluster has only db 0',
    ],
    [{ REDIS_KEY_PREFIX: 'tm{x}:' }, 'REDIS_KEY_PREFIX must not contain { or }'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV must be one of development, production, test'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
    [{ LOG_MAX_SIZE: '10 megabytes' }, 'LOG_MAX_SIZE must be a size such as 512K, 10M or 1G'],
    [{ DOCS_ENABLED: 'maybe' }, 'DOCS_ENABLED must be true or false (got "maybe")'],
    [{ METRICS_PORT: '65536' }, 'METRICS_PORT must be an integer from 0 to 65535 (got "65536")'],
    [{ METRICS_HOST: 'a b' }, 'METRICS_HOST must be an address or host name'],
    [{ HTTP_REQUEST_TIMEOUT: '0' }, 'HTTP_REQUEST_TIMEOUT must be a duration'],
    [
      { HTTP_MAX_CONNECTIONS: '0' },
      'HTTP_MAX_CONNECTIONS must be an integer from 1 to 1000000 (got "0")',
    ],
    [
      { MESSAGE_TTL_SECONDS: '600', MESSAGE_MAX_TTL_SECONDS: '60' },
      'MESSAGE_TTL_SECONDS must not exceed MESSAGE_MAX_TTL_SECONDS',
    ],
  ])('names the bad variable in one line: %j', (env, expected) => {
    const message = configError(env);
    expect(message).toContain(expected);
    expect(message).toMatch(/^Invalid configuration: /);
    expect(message).not.toContain('\n');
  });

  it('lists every bad variable in the same line', () => {
    const message = configError({ PORT: 'x', BCRYPT_COST: 'y' });
    expect(message).toContain('PORT must be');
    expect(message).toContain('BCRYPT_COST must be');
    expect(message).not.toContain('\n');
  });
});
