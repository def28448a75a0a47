// First: the trace SDK must be up before Nest and the libraries it traces load (see tracing.ts).
import './tracing';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { parseArgs } from 'node:util';
import { AppModule } from './app.module';
import { MfaService, PruneService, SecretKeyUnavailableError } from './auth';
import { type AppConfig, configFromEnvironment } from './common/config';
import { DomainError } from './common/errors';
import { inSpan, shutdownTracing } from './common/tracing';
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
                     must be in MFA_PREVIOUS_ENCRYPTION_KEYS until this is done)`;

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
  if (!['create-admin', 'promote', 'prune', 'migrate', 'mfa-rotate-key'].includes(command)) {
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
