// First: the trace SDK must be up before Nest and the libraries it traces load (see tracing.ts).
import './tracing';
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { AppModule } from './app.module';
import { MfaService, PruneService, SecretKeyUnavailableError } from './auth';
import { type AppConfig, configFromEnvironment, redisDbIndex } from './common/config';
import { DomainError, ServiceUnavailableError } from './common/errors';
import {
  compareRedisServer,
  createRedisClient,
  REDIS_CLIENT,
  type RedisClient,
  untilConnected,
} from './common/redis';
import { inSpan, shutdownTracing } from './common/tracing';
import { MessageCopyService, RedisMessageStore } from './messages';
import { RegistrationDto, UsersService } from './users';

const USAGE = `Usage: npm run cli -- <command>

Commands:
  create-admin --email <email> --password <password> [--first-name <name>] [--last-name <name>]
                     create a user with the admin role
  promote <email>    give an existing user the admin role
  prune              delete expired blacklist entries, long-expired sessions, spent mail tokens
                     and audit events past AUDIT_RETENTION now
  migrate            apply pending database migrations
  mfa-rotate-key     re-encrypt every second-factor secret under MFA_ENCRYPTION_KEY (the old key
                     must be in MFA_PREVIOUS_ENCRYPTION_KEYS until this is done)
  redis-copy-messages --from <redis-url>
                     copy the live messages, each with the time it has left, from the single
                     Redis at <redis-url> (redis:// or rediss://, a db index allowed) to the Redis
                     this service is configured on (REDIS_CLUSTER_NODES or REDIS_URL), under the
                     same REDIS_KEY_PREFIX; run it again to copy what was posted meanwhile`;

const COMMANDS = [
  'create-admin',
  'promote',
  'prune',
  'migrate',
  'mfa-rotate-key',
  'redis-copy-messages',
];

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Administration commands on the same Nest application context as the server (same config,
 * database, Redis and services). Returns the exit code: 0 done, 1 failed, 2 bad usage.
 */
export async function runCli(
  argv: string[],
  config: AppConfig,
  output: CliOutput = consoleOutput,
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    output.out(USAGE);
    return command ? 0 : 2;
  }
  if (!COMMANDS.includes(command)) {
    output.err(`Unknown command "${command}".\n\n${USAGE}`);
    return 2;
  }

  let parsed: ReturnType<typeof parseCommandArgs>;
  try {
    parsed = parseCommandArgs(rest);
  } catch (error) {
    output.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }

  // With tracing on, a command is one trace: its queries and Redis commands are the span's children.
  return inSpan(`cli ${command}`, () => runCommand(command, parsed, config, output));
}

async function runCommand(
  command: string,
  parsed: ReturnType<typeof parseCommandArgs>,
  config: AppConfig,
  output: CliOutput,
): Promise<number> {
  // A command serves nothing, metrics included (and the server may hold METRICS_PORT).
  const commandConfig: AppConfig = { ...config, metrics: { ...config.metrics, enabled: false } };
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(commandConfig), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  try {
    switch (command) {
      case 'create-admin':
        return await createAdmin(app.get(UsersService), parsed, output);
      case 'promote':
        return await promote(app.get(UsersService), parsed.positionals, output);
      case 'prune':
        return await prune(app.get(PruneService), output);
      case 'mfa-rotate-key':
        return await rotateMfaKey(app.get(MfaService), config, output);
      case 'redis-copy-messages':
        return await copyRedisMessages(app, config, parsed, output);
      default:
        // Starting the context applied the migrations (MIGRATIONS_RUN is forced on for this command).
        output.out('Migrations are up to date.');
        return 0;
    }
  } catch (error) {
    if (error instanceof DomainError) {
      output.err(`${command} failed: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await app.close();
  }
}

function parseCommandArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      'first-name': { type: 'string' },
      'last-name': { type: 'string' },
      from: { type: 'string' },
    },
  });
}

async function createAdmin(
  users: UsersService,
  { values }: ReturnType<typeof parseCommandArgs>,
  output: CliOutput,
): Promise<number> {
  const input = plainToInstance(RegistrationDto, {
    email: values.email,
    password: values.password,
    firstName: values['first-name'] ?? 'Admin',
    lastName: values['last-name'] ?? 'User',
  });
  const problems = (await validate(input)).flatMap((error) =>
    Object.values(error.constraints ?? {}),
  );
  if (problems.length > 0) {
    output.err(`create-admin failed: ${problems.join('; ')}`);
    return 2;
  }
  const account = await users.register(input);
  // The operator vouches for the address: no verification mail.
  await users.verifyEmail(account.id, account.email);
  await users.promote(account.email);
  output.out(`Created admin ${account.email} (${account.id}).`);
  return 0;
}

async function promote(
  users: UsersService,
  positionals: string[],
  output: CliOutput,
): Promise<number> {
  if (positionals.length !== 1) {
    output.err(`promote takes one email.\n\n${USAGE}`);
    return 2;
  }
  const account = await users.promote(positionals[0]);
  output.out(`${account.email} is now an admin.`);
  return 0;
}

async function prune(service: PruneService, output: CliOutput): Promise<number> {
  const outcome = await service.pruneExpired();
  if (!outcome.ran) {
    output.out('Another instance is pruning right now; nothing done.');
    return 0;
  }
  output.out(
    `Deleted ${outcome.blacklistDeleted} expired blacklist entries, ${outcome.sessionsDeleted} expired sessions, ${outcome.accountTokensDeleted} spent mail tokens and ${outcome.auditEventsDeleted} audit events past their retention.`,
  );
  return 0;
}

async function rotateMfaKey(
  mfa: MfaService,
  config: AppConfig,
  output: CliOutput,
): Promise<number> {
  // A generated key dies with this process: every secret sealed under it would be lost.
  if (config.mfa.encryptionKeyGenerated) {
    output.err('mfa-rotate-key failed: set MFA_ENCRYPTION_KEY to the new key first.');
    return 2;
  }
  try {
    const { resealed, keyId, complete } = await mfa.resealSecrets();
    output.out(`Re-encrypted ${resealed} secrets under key ${keyId}.`);
    if (complete) return 0;
    output.err(
      'Some secrets were sealed under an older key meanwhile (an instance not yet restarted with the new key?): restart every instance, then run mfa-rotate-key again.',
    );
    return 1;
  } catch (error) {
    if (!(error instanceof SecretKeyUnavailableError)) throw error;
    output.err(`mfa-rotate-key failed: ${error.message}`);
    return 1;
  }
}

async function copyRedisMessages(
  app: INestApplicationContext,
  config: AppConfig,
  { values }: ReturnType<typeof parseCommandArgs>,
  output: CliOutput,
): Promise<number> {
  const fail = (message: string, code: number) => {
    output.err(`redis-copy-messages failed: ${message}`);
    return code;
  };
  const from = sourceRedisUrl(values.from);
  if ('problem' in from) return fail(`${from.problem}\n\n${USAGE}`, 2);

  // The service's own client settings, on the source's server: one server, never a cluster.
  const source = createRedisClient({
    ...config,
    redis: { ...config.redis, url: from.url, clusterNodes: [] },
  }) as Redis;
  try {
    const target = app.get<RedisClient>(REDIS_CLIENT);
    const timeoutMs = config.redis.connectTimeoutMs;
    const unreachable = await Promise.all([
      untilConnected(source, timeoutMs).then(
        () => null,
        (error: Error) =>
          `cannot reach the source Redis (${withoutCredentials(from.url)}): ${reason(error)}`,
      ),
      untilConnected(target, timeoutMs).then(
        () => null,
        (error: Error) =>
          `cannot reach the target Redis (${targetRedis(config)}): ${reason(error)}`,
      ),
    ]);
    const problems = unreachable.filter((problem) => problem !== null);
    if (problems.length > 0) return fail(problems.join('; '), 1);

    switch (await compareRedisServer(source, target)) {
      case 'same':
        return fail(
          `--from names the target itself (${targetRedis(config)}): give the single Redis the messages are on now`,
          2,
        );
      case 'cluster-node':
        return fail(`--from names a node of a Redis Cluster; it takes a single Redis`, 2);
    }

    const report = await app.get(MessageCopyService).copyFrom(new RedisMessageStore(source));
    output.out(
      `copied ${report.copied} messages, ${report.expired} had expired, ${report['already-here']} already there, ${report['author-deleted']} of deleted accounts`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof ServiceUnavailableError)) throw error;
    return fail(
      'a Redis stopped answering during the copy; run the command again (what was copied stays, and nothing is copied twice)',
      1,
    );
  } finally {
    source.disconnect();
  }
}

/** The URL given to --from, or what is wrong with it. */
function sourceRedisUrl(value: string | undefined): { url: string } | { problem: string } {
  if (!value) return { problem: '--from <redis-url> is required: the Redis to copy from' };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: '--from must be a redis:// or rediss:// URL' };
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return { problem: `--from must be a redis:// or rediss:// URL, not ${url.protocol}//` };
  }
  const db = redisDbIndex(value);
  if (!Number.isInteger(db) || db < 0) {
    return { problem: '--from names its db by a number: redis://host:port/<db>' };
  }
  return { url: value };
}

/** The Redis the service is configured on, without a password. */
function targetRedis({ redis }: AppConfig): string {
  if (redis.clusterNodes.length > 0) {
    const nodes = redis.clusterNodes.map(({ host, port }) =>
      host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    );
    return `REDIS_CLUSTER_NODES ${nodes.join(',')}`;
  }
  return withoutCredentials(redis.url);
}

/** A Redis URL as messages may show it: no user, no password, the db it selects. */
function withoutCredentials(url: string): string {
  const { protocol, host } = new URL(url);
  return `${protocol}//${host}/${redisDbIndex(url)}`;
}

/** An ioredis error's message; a cluster's "all nodes failed" carries the last node's reason. */
function reason(error: Error & { lastNodeError?: Error }): string {
  return error.lastNodeError ? `${error.message} (${error.lastNodeError.message})` : error.message;
}

if (require.main === module) {
  // Log lines go to the log file; the terminal shows the command's own answer.
  process.env.LOG_STDOUT ??= 'false';
  if (process.argv[2] === 'migrate') process.env.MIGRATIONS_RUN = 'true';
  const config = configFromEnvironment();
  runCli(process.argv.slice(2), config)
    .catch((error: unknown) => {
      process.stderr.write(`Failed: ${(error as Error).message}\n`);
      return 1;
    })
    // The command's span has ended: send it before the process does. A collector that is down
    // does not change the command's outcome.
    .then(async (code) => {
      await shutdownTracing().catch(() => undefined);
      process.exit(code);
    });
}
