import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AppConfig, type AppSettings } from './app-config';
import { envSchema, type Env } from './env.schema';

export const MIN_JWT_SECRET_LENGTH = 32;

/** Thrown when the environment does not describe a service that can start; its message is one line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Validates the environment and returns the typed settings.
 * Empty variables count as unset, so `FOO=` in a `.env` file falls back to the default.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const present = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.path.length > 0 && !issue.message.startsWith(String(issue.path[0]))
        ? `${String(issue.path[0])}: ${issue.message}`
        : issue.message,
    );
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return toSettings(parsed.data) as AppConfig;
}

/**
 * The db index a Redis URL selects (`redis://host/3` or `?db=3`), 0 when it names none, NaN when
 * what it names is not a number.
 */
export function redisDbIndex(url: string): number {
  const parsed = new URL(url);
  const db = parsed.pathname.slice(1) || parsed.searchParams.get('db') || '0';
  return Number(db);
}

function toSettings(env: Env): AppSettings {
  const production = env.NODE_ENV === 'production';
  if (production && !env.JWT_SECRET) {
    throw new ConfigError('Invalid configuration: JWT_SECRET is required when NODE_ENV=production');
  }
  if (production && env.JWT_SECRET!.length < MIN_JWT_SECRET_LENGTH) {
    throw new ConfigError(
      `Invalid configuration: JWT_SECRET must be at least ${MIN_JWT_SECRET_LENGTH} characters when NODE_ENV=production`,
    );
  }
  if (production && !env.MFA_ENCRYPTION_KEY) {
    throw new ConfigError(
      'Invalid configuration: MFA_ENCRYPTION_KEY is required when NODE_ENV=production (32+ characters)',
    );
  }
  if (production && env.TRUST_PROXY === true) {
    throw new ConfigError(
      'Invalid configuration: TRUST_PROXY=true trusts every hop, so any client picks its own address with X-Forwarded-For; give the number of proxies in front, e.g. TRUST_PROXY=1',
    );
  }
  if (env.MESSAGE_TTL_SECONDS > env.MESSAGE_MAX_TTL_SECONDS) {
    throw new ConfigError(
      'Invalid configuration: MESSAGE_TTL_SECONDS must not exceed MESSAGE_MAX_TTL_SECONDS',
    );
  }
  const redisDb = redisDbIndex(env.REDIS_URL);
  if (env.REDIS_CLUSTER_NODES && redisDb !== 0) {
    throw new ConfigError(
      `Invalid configuration: REDIS_URL selects db ${redisDb}, but REDIS_CLUSTER_NODES is set and a Redis Cluster has only db 0; drop the db from REDIS_URL or unset REDIS_CLUSTER_NODES`,
    );
  }
  if (env.METRICS_ENABLED && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.PORT) {
    throw new ConfigError(
      'Invalid configuration: METRICS_PORT must differ from PORT (metrics are never served on the public port)',
    );
  }

  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    trustProxy: env.TRUST_PROXY,
    http: {
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT * 1000,
      maxConnections: env.HTTP_MAX_CONNECTIONS,
    },
    database: {
      url: env.DATABASE_URL,
      migrationsRun: env.MIGRATIONS_RUN,
      connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT * 1000,
      queryTimeoutMs: env.DATABASE_QUERY_TIMEOUT * 1000,
    },
    redis: {
      url: env.REDIS_URL,
      clusterNodes: env.REDIS_CLUSTER_NODES ?? [],
      keyPrefix: env.REDIS_KEY_PREFIX,
      connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT * 1000,
      commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT * 1000,
    },
    jwt: {
      // A generated secret keeps development zero-setup; tokens die with the process.
      secret: env.JWT_SECRET ?? randomBytes(48).toString('base64url'),
      secretGenerated: env.JWT_SECRET === undefined,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTtlSeconds: env.ACCESS_TOKEN_TTL,
      refreshTtlSeconds: env.REFRESH_TOKEN_TTL,
      refreshReuseIntervalSeconds: env.REFRESH_REUSE_INTERVAL,
      sessionMaxLifetimeSeconds: env.SESSION_MAX_LIFETIME,
    },
    bcryptCost: env.BCRYPT_COST,
    throttling: {
      loginMaxFailures: env.LOGIN_MAX_FAILURES,
      loginFailureWindowSeconds: env.LOGIN_FAILURE_WINDOW,
      authIpLimit: env.AUTH_IP_LIMIT,
      publicReadLimit: env.PUBLIC_READ_LIMIT,
    },
    messages: {
      defaultTtlSeconds: env.MESSAGE_TTL_SECONDS,
      maxTtlSeconds: env.MESSAGE_MAX_TTL_SECONDS,
      postLimit: env.MESSAGE_POST_LIMIT,
    },
    prune: {
      cron: env.BLACKLIST_PRUNE_CRON,
      batchSize: env.PRUNE_BATCH_SIZE,
      auditRetentionSeconds: env.AUDIT_RETENTION,
    },
    log: {
      dir: env.LOG_DIR,
      level: env.LOG_LEVEL,
      maxSize: env.LOG_MAX_SIZE,
      maxFiles: env.LOG_MAX_FILES,
      stdout: env.LOG_STDOUT,
    },
    corsOrigins: env.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    docsEnabled: env.DOCS_ENABLED,
    metrics: { enabled: env.METRICS_ENABLED, host: env.METRICS_HOST, port: env.METRICS_PORT },
    sseMaxClients: env.SSE_MAX_CLIENTS,
    sseMaxClientsPerIp: env.SSE_MAX_CLIENTS_PER_IP,
    sseMaxStreamAgeMs: env.SSE_MAX_STREAM_AGE * 1000,
    sseReplayWindow: env.SSE_REPLAY_WINDOW,
    rpcMaxBatch: env.RPC_MAX_BATCH,
    mail: {
      publicUrl: env.PUBLIC_URL.replace(/\/+$/, ''),
      smtpUrl: env.SMTP_URL ?? null,
      from: env.MAIL_FROM,
      outboxDir: env.MAIL_OUTBOX_DIR ?? join(env.LOG_DIR, 'outbox'),
      perEmailLimit: env.MAIL_PER_EMAIL_LIMIT,
      perEmailWindowSeconds: env.MAIL_PER_EMAIL_WINDOW,
    },
    mfa: {
      // Like the JWT secret: zero setup in development, but second factors set up under a
      // generated key stop opening when the process restarts (recovery codes still work).
      encryptionKey: env.MFA_ENCRYPTION_KEY ?? randomBytes(32).toString('base64url'),
      encryptionKeyGenerated: env.MFA_ENCRYPTION_KEY === undefined,
      previousEncryptionKeys: env.MFA_PREVIOUS_ENCRYPTION_KEYS,
    },
    accountEmail: {
      verification: env.EMAIL_VERIFICATION,
      emailTokenTtlSeconds: env.EMAIL_TOKEN_TTL,
      passwordResetTtlSeconds: env.PASSWORD_RESET_TTL,
    },
  };
}
