export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AppSettings {
  readonly env: NodeEnv;
  /** The address to listen on: every IPv4 interface by default, `::` for IPv6 as well. */
  readonly host: string;
  readonly port: number;
  /** Fastify's `trustProxy`: false, true (any hop) or the number of proxy hops to trust. */
  readonly trustProxy: boolean | number;
  readonly http: {
    /** Time for a client to send a whole request, headers and body; past it, 408. */
    readonly requestTimeoutMs: number;
    /** Open connections per instance; past it, new ones are closed at once. */
    readonly maxConnections: number;
  };
  readonly database: {
    readonly url: string;
    readonly migrationsRun: boolean;
    readonly connectTimeoutMs: number;
    readonly queryTimeoutMs: number;
  };
  readonly redis: {
    /** One server; its user and password also open the cluster's nodes. */
    readonly url: string;
    /** The seed nodes of a Redis Cluster; when there are any, they replace the server of `url`. */
    readonly clusterNodes: ReadonlyArray<{ readonly host: string; readonly port: number }>;
    readonly keyPrefix: string;
    readonly connectTimeoutMs: number;
    readonly commandTimeoutMs: number;
  };
  readonly jwt: {
    readonly secret: string;
    /** True when no JWT_SECRET was given and one was generated (development only). */
    readonly secretGenerated: boolean;
    readonly issuer: string;
    readonly audience: string;
    readonly accessTtlSeconds: number;
    readonly refreshTtlSeconds: number;
    /** A refresh token rotated away this recently answers its successor again (0: never). */
    readonly refreshReuseIntervalSeconds: number;
    /** A session ends this long after its login, however often it is refreshed. */
    readonly sessionMaxLifetimeSeconds: number;
  };
  readonly bcryptCost: number;
  readonly throttling: {
    readonly loginMaxFailures: number;
    readonly loginFailureWindowSeconds: number;
    readonly authIpLimit: number;
    /** Public message reads a minute per client address, REST and JSON-RPC together; 0 = off. */
    readonly publicReadLimit: number;
  };
  readonly messages: {
    readonly defaultTtlSeconds: number;
    readonly maxTtlSeconds: number;
    readonly postLimit: number;
  };
  readonly prune: {
    readonly cron: string;
    readonly batchSize: number;
    /** Audit rows older than this are deleted by the prune. */
    readonly auditRetentionSeconds: number;
  };
  readonly log: {
    readonly dir: string;
    readonly level: LogLevel;
    readonly maxSize: string;
    readonly maxFiles: number;
    readonly stdout: boolean;
  };
  readonly corsOrigins: readonly string[];
  readonly docsEnabled: boolean;
  /** The Prometheus listener, apart from the public port; port 0 takes any free port. */
  readonly metrics: {
    readonly enabled: boolean;
    readonly host: string;
    readonly port: number;
  };
  readonly sseMaxClients: number;
  readonly sseMaxClientsPerIp: number;
  /** A message stream is ended (cleanly: its client resumes) once it is this old. */
  readonly sseMaxStreamAgeMs: number;
  /** Events kept for resuming a stream (ids only). */
  readonly sseReplayWindow: number;
  readonly rpcMaxBatch: number;
  readonly mail: {
    /** Base of the links in mails, without a trailing slash. */
    readonly publicUrl: string;
    /** null: mails are written as `.eml` files to `outboxDir` instead of sent. */
    readonly smtpUrl: string | null;
    readonly from: string;
    readonly outboxDir: string;
    /** Mails with a link per address per window; notices do not count. */
    readonly perEmailLimit: number;
    readonly perEmailWindowSeconds: number;
  };
  readonly mfa: {
    /** Seals every new TOTP secret (AES-256-GCM). */
    readonly encryptionKey: string;
    /** True when no MFA_ENCRYPTION_KEY was given and one was generated (never in production). */
    readonly encryptionKeyGenerated: boolean;
    /** Keys that only open secrets sealed before a rotation. */
    readonly previousEncryptionKeys: readonly string[];
  };
  readonly accountEmail: {
    /** `required`: no tokens until the address is verified. */
    readonly verification: 'optional' | 'required';
    /** Lifetime of verification and email change links. */
    readonly emailTokenTtlSeconds: number;
    readonly passwordResetTtlSeconds: number;
  };
}

/**
 * The validated settings of the service, injectable by this class as a token.
 * Built once by `loadConfig()`; nothing else reads `process.env`.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface AppConfig extends AppSettings {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class AppConfig {}
