import ms, { type StringValue } from 'ms';
import { validateCronExpression } from 'cron';
import { z } from 'zod';

/** A duration as an `ms`-style string (`3s`, `15m`, `14d`) or a whole number of seconds. */
function durationSeconds(name: string, min = 1) {
  return z.string().transform((raw, ctx) => {
    const text = raw.trim();
    const millis = /^\d+$/.test(text) ? Number(text) * 1000 : ms(text as StringValue);
    if (typeof millis !== 'number' || !Number.isFinite(millis) || millis < min * 1000) {
      ctx.addIssue({
        code: 'custom',
        message: `${name} must be a duration such as 30s, 15m or 14d, at least ${min}s (got "${raw}")`,
      });
      return z.NEVER;
    }
    return Math.floor(millis / 1000);
  });
}

function integer(name: string, min: number, max: number) {
  return z.string().transform((raw, ctx) => {
    const value = Number(raw.trim());
    if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
      ctx.addIssue({
        code: 'custom',
        message: `${name} must be an integer from ${min} to ${max} (got "${raw}")`,
      });
      return z.NEVER;
    }
    return value;
  });
}

function boolean(name: string) {
  return z.string().transform((raw, ctx) => {
    const text = raw.trim().toLowerCase();
    if (['true', '1', 'yes'].includes(text)) return true;
    if (['false', '0', 'no'].includes(text)) return false;
    ctx.addIssue({ code: 'custom', message: `${name} must be true or false (got "${raw}")` });
    return z.NEVER;
  });
}

function urlWithProtocol(name: string, protocols: readonly string[]) {
  return z.string().refine(
    (raw) => {
      try {
        return protocols.includes(new URL(raw).protocol);
      } catch {
        return false;
      }
    },
    {
      message: `${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    },
  );
}

/** `host:port,host:port,…` (`[::1]:7000` for an IPv6 address), at least one node. */
function hostPortList(name: string) {
  return z.string().transform((raw, ctx) => {
    const nodes = raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')
      // A bracketed IPv6 address, or a host name or IPv4 address (no scheme, no path).
      .map((item) => /^(?:\[([^\]\s]+)\]|([^\s:[\]/]+)):(\d{1,5})$/.exec(item))
      .map((match) => match && { host: match[1] ?? match[2], port: Number(match[3]) });
    if (nodes.length === 0 || nodes.some((node) => !node || node.port < 1 || node.port > 65535)) {
      ctx.addIssue({
        code: 'custom',
        message: `${name} must be host:port pairs separated by commas, such as 10.0.0.1:7000,10.0.0.2:7000 (got "${raw}")`,
      });
      return z.NEVER;
    }
    return nodes as Array<{ host: string; port: number }>;
  });
}

function oneOf<const T extends readonly [string, ...string[]]>(name: string, values: T) {
  return z.enum(values, { message: `${name} must be one of ${values.join(', ')}` });
}

const nonEmpty = (name: string) => z.string().trim().min(1, `${name} must not be empty`);

function listenAddress(name: string) {
  return z
    .string()
    .trim()
    .regex(/^[\w.:-]+$/, {
      message: `${name} must be an address or host name such as 0.0.0.0 or ::`,
    });
}

/** Every variable the service reads, with its default. `.env.example` documents the same list. */
export const envSchema = z.object({
  NODE_ENV: oneOf('NODE_ENV', ['development', 'production', 'test']).default('development'),
  HOST: listenAddress('HOST').default('0.0.0.0'),
  PORT: integer('PORT', 0, 65535).default(3000),
  TRUST_PROXY: z
    .string()
    .transform((raw, ctx) => {
      const text = raw.trim().toLowerCase();
      if (['true', 'false'].includes(text)) return text === 'true';
      if (/^\d{1,2}$/.test(text)) return Number(text);
      ctx.addIssue({
        code: 'custom',
        message: `TRUST_PROXY must be false, true or a number of proxy hops (got "${raw}")`,
      });
      return z.NEVER;
    })
    .default(false),
  HTTP_REQUEST_TIMEOUT: durationSeconds('HTTP_REQUEST_TIMEOUT').default(30),
  HTTP_MAX_CONNECTIONS: integer('HTTP_MAX_CONNECTIONS', 1, 1_000_000).default(5000),

  DATABASE_URL: urlWithProtocol('DATABASE_URL', ['postgres:', 'postgresql:']).default(
    'postgres://postgres@127.0.0.1:5432/tempmessenger',
  ),
  MIGRATIONS_RUN: boolean('MIGRATIONS_RUN').default(true),
  DATABASE_CONNECT_TIMEOUT: durationSeconds('DATABASE_CONNECT_TIMEOUT').default(2),
  DATABASE_QUERY_TIMEOUT: durationSeconds('DATABASE_QUERY_TIMEOUT').default(5),

  REDIS_URL: urlWithProtocol('REDIS_URL', ['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  REDIS_CLUSTER_NODES: hostPortList('REDIS_CLUSTER_NODES').optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .refine((prefix) => !/[{}]/.test(prefix), {
      message:
        'REDIS_KEY_PREFIX must not contain { or }: they would decide which cluster slot every key goes to',
    })
    .default('tm:'),
  REDIS_CONNECT_TIMEOUT: durationSeconds('REDIS_CONNECT_TIMEOUT').default(2),
  REDIS_COMMAND_TIMEOUT: durationSeconds('REDIS_COMMAND_TIMEOUT').default(2),

  JWT_SECRET: z.string().optional(),
  JWT_ISSUER: nonEmpty('JWT_ISSUER').default('tempmessenger'),
  JWT_AUDIENCE: nonEmpty('JWT_AUDIENCE').default('tempmessenger'),
  ACCESS_TOKEN_TTL: durationSeconds('ACCESS_TOKEN_TTL').default(15 * 60),
  REFRESH_TOKEN_TTL: durationSeconds('REFRESH_TOKEN_TTL').default(14 * 24 * 3600),
  REFRESH_REUSE_INTERVAL: durationSeconds('REFRESH_REUSE_INTERVAL', 0).default(10),
  SESSION_MAX_LIFETIME: durationSeconds('SESSION_MAX_LIFETIME').default(30 * 24 * 3600),
  BCRYPT_COST: integer('BCRYPT_COST', 4, 15).default(12),
  MFA_ENCRYPTION_KEY: z
    .string()
    .min(32, 'MFA_ENCRYPTION_KEY must be at least 32 characters')
    .optional(),
  // Older keys, still read while `npm run cli -- mfa-rotate-key` re-seals their secrets.
  MFA_PREVIOUS_ENCRYPTION_KEYS: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((key) => key.trim())
        .filter(Boolean),
    )
    .refine((keys) => keys.every((key) => key.length >= 32), {
      message: 'MFA_PREVIOUS_ENCRYPTION_KEYS: every key must be at least 32 characters',
    }),

  LOGIN_MAX_FAILURES: integer('LOGIN_MAX_FAILURES', 1, 1_000_000).default(5),
  LOGIN_FAILURE_WINDOW: durationSeconds('LOGIN_FAILURE_WINDOW').default(15 * 60),
  AUTH_IP_LIMIT: integer('AUTH_IP_LIMIT', 1, 1_000_000).default(30),
  PUBLIC_READ_LIMIT: integer('PUBLIC_READ_LIMIT', 0, 1_000_000).default(600),

  MESSAGE_TTL_SECONDS: integer('MESSAGE_TTL_SECONDS', 1, 31_536_000).default(300),
  MESSAGE_MAX_TTL_SECONDS: integer('MESSAGE_MAX_TTL_SECONDS', 1, 31_536_000).default(86_400),
  MESSAGE_POST_LIMIT: integer('MESSAGE_POST_LIMIT', 1, 1_000_000).default(30),

  BLACKLIST_PRUNE_CRON: z
    .string()
    .refine((expression) => validateCronExpression(expression).valid, {
      message: 'BLACKLIST_PRUNE_CRON must be a cron expression such as */10 * * * *',
    })
    .default('*/10 * * * *'),
  PRUNE_BATCH_SIZE: integer('PRUNE_BATCH_SIZE', 1, 1_000_000).default(5000),
  AUDIT_RETENTION: durationSeconds('AUDIT_RETENTION').default(90 * 24 * 3600),

  LOG_DIR: nonEmpty('LOG_DIR').default('logs'),
  LOG_LEVEL: oneOf('LOG_LEVEL', [
    'fatal',
    'error',
    'warn',
    'info',
    'debug',
    'trace',
    'silent',
  ]).default('info'),
  LOG_MAX_SIZE: z
    .string()
    .trim()
    .regex(/^\d+[BKMG]$/, 'LOG_MAX_SIZE must be a size such as 512K, 10M or 1G')
    .default('10M'),
  LOG_MAX_FILES: integer('LOG_MAX_FILES', 1, 1000).default(10),
  LOG_STDOUT: boolean('LOG_STDOUT').default(true),

  CORS_ORIGINS: z.string().default(''),
  DOCS_ENABLED: boolean('DOCS_ENABLED').default(true),
  METRICS_ENABLED: boolean('METRICS_ENABLED').default(true),
  METRICS_HOST: listenAddress('METRICS_HOST').default('127.0.0.1'),
  METRICS_PORT: integer('METRICS_PORT', 0, 65535).default(9464),
  SSE_MAX_CLIENTS: integer('SSE_MAX_CLIENTS', 1, 1_000_000).default(1000),
  SSE_MAX_CLIENTS_PER_IP: integer('SSE_MAX_CLIENTS_PER_IP', 1, 1_000_000).default(20),
  SSE_MAX_STREAM_AGE: durationSeconds('SSE_MAX_STREAM_AGE').default(3600),
  SSE_REPLAY_WINDOW: integer('SSE_REPLAY_WINDOW', 1, 1_000_000).default(1000),
  RPC_MAX_BATCH: integer('RPC_MAX_BATCH', 1, 10_000).default(50),

  PUBLIC_URL: urlWithProtocol('PUBLIC_URL', ['http:', 'https:']).default('http://localhost:3000'),
  SMTP_URL: urlWithProtocol('SMTP_URL', ['smtp:', 'smtps:']).optional(),
  MAIL_FROM: nonEmpty('MAIL_FROM').default('TempMessenger <no-reply@localhost>'),
  MAIL_OUTBOX_DIR: nonEmpty('MAIL_OUTBOX_DIR').optional(),
  MAIL_PER_EMAIL_LIMIT: integer('MAIL_PER_EMAIL_LIMIT', 1, 1_000_000).default(3),
  MAIL_PER_EMAIL_WINDOW: durationSeconds('MAIL_PER_EMAIL_WINDOW').default(3600),
  EMAIL_VERIFICATION: oneOf('EMAIL_VERIFICATION', ['optional', 'required']).default('optional'),
  EMAIL_TOKEN_TTL: durationSeconds('EMAIL_TOKEN_TTL').default(24 * 3600),
  PASSWORD_RESET_TTL: durationSeconds('PASSWORD_RESET_TTL').default(30 * 60),
});

export type Env = z.infer<typeof envSchema>;
