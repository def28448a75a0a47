import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const repoRoot = join(__dirname, '..', '..', '..');
const configFile = join(repoRoot, '.dependency-cruiser.js');
// dependency-cruiser is ESM-only, which Jest's CommonJS runtime cannot import, so run its CLI.
const depcruiseBin = join(
  repoRoot,
  'node_modules',
  'dependency-cruiser',
  'bin',
  'dependency-cruise.mjs',
);

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
}

interface CruiseResult {
  summary: {
    violations: Violation[];
    error: number;
    ruleSetUsed: { forbidden: { name: string }[] };
  };
}

function depcruise(cwd: string, args: string[]) {
  return spawnSync(process.execPath, [depcruiseBin, ...args, '--config', configFile], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

function cruise(cwd: string, paths: string[]): CruiseResult {
  const run = depcruise(cwd, [...paths, '--output-type', 'json']);
  // The json reporter always exits 0, so a missing report is the only sign that it broke.
  if (run.status !== 0 || !run.stdout) {
    throw new Error(`depcruise produced no report (exit ${run.status}): ${run.stderr}`);
  }
  return JSON.parse(run.stdout) as CruiseResult;
}

/** "rule from -> to", with node_modules paths cut to the package so the list is stable. */
function describeViolations(violations: Violation[]): string[] {
  return violations
    .map((v) => `${v.rule.name} ${v.from} -> ${v.to.replace(/^.*node_modules\//, '')}`)
    .sort();
}

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    const target = join(root, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}

function makeFixture(parent: string, name: string, files: Record<string, string>): string {
  const root = join(parent, name);
  writeTree(root, {
    'tsconfig.json': JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true },
      include: ['src', 'test', 'bench'],
    }),
    ...files,
  });
  // Resolve packages the way the real tree does; a junction needs no privileges on Windows.
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'junction');
  return root;
}

const door = {
  'src/users/index.ts':
    "export { User } from './domain/user';\nexport { UsersModule } from './users.module';\n",
  'src/users/users.module.ts': 'export class UsersModule {}\n',
  'src/users/domain/user.ts':
    "import type { UserId } from './user-id';\nexport class User {\n  id?: UserId;\n}\n",
  'src/users/domain/user-id.ts': 'export type UserId = string;\n',
};

// The config reads the modules from these doors: a folder of src/ without index.ts is not one.
const otherDoors = {
  'src/auth/index.ts': 'export {};\n',
  'src/messages/index.ts': 'export {};\n',
  'src/rpc/index.ts': 'export {};\n',
};

describe('module boundaries (dependency-cruiser)', () => {
  let tmp: string;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'module-boundaries-'));
  });

  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('reports every rule against the file that breaks it', () => {
    const root = makeFixture(tmp, 'broken', {
      ...door,
      ...otherDoors,
      // Type-only on both sides: it is a cycle only because tsPreCompilationDeps is on.
      'src/users/domain/user-id.ts':
        "import type { User } from './user';\nexport type UserId = User['id'];\n",
      'src/auth/application/login.service.ts':
        "import { User } from '../../users/domain/user';\nexport const login = (u: User) => u;\n",
      'src/auth/http/auth.controller.ts':
        "import { UsersModule } from '../../users/users.module';\nexport const m = UsersModule;\n",
      'src/common/http/current-user.ts':
        "import { User } from '../../users';\nexport const u = User;\n",
      'src/messages/domain/message.ts':
        "import { Injectable } from '@nestjs/common';\nexport const i = Injectable;\n",
      'src/messages/domain/message.repository.ts':
        "import type { Repository } from 'typeorm';\nexport type R = Repository<object>;\n",
      'src/messages/domain/message-id.ts':
        "import { randomUUID } from 'node:crypto';\nexport const newId = () => randomUUID();\n",
      'src/messages/domain/message-event.ts':
        "import type { FastifyRequest } from 'fastify';\nexport type E = FastifyRequest;\n",
      'src/messages/domain/message-page.ts': "import { z } from 'zod';\nexport const page = z;\n",
      'src/messages/domain/message.store.ts':
        "import { send } from '../application/send';\nexport const s = send;\n",
      'src/messages/domain/message.errors.ts':
        "import { HttpProblem } from '../../common/errors';\nexport const p = HttpProblem;\n",
      'src/messages/application/send.ts':
        "import { RedisStore } from '../infrastructure/redis-message.store';\nexport const send = RedisStore;\n",
      'src/messages/application/publish.ts':
        "import { MessagesModule } from '../messages.module';\nexport const p = MessagesModule;\n",
      'src/messages/infrastructure/redis-message.store.ts':
        "import { body } from '../http/message.body';\nexport class RedisStore {}\nexport const b = body;\n",
      'src/messages/http/message.body.ts':
        "import { isUuid } from '../../common/validation/uuid';\nexport const body = isUuid;\n",
      'src/messages/messages.module.ts': 'export class MessagesModule {}\n',
      'src/common/errors/index.ts': "export { HttpProblem } from './http-problem';\n",
      'src/common/errors/http-problem.ts': 'export class HttpProblem {}\n',
      'src/common/validation/uuid.ts': 'export const isUuid = () => true;\n',
      // A module nobody listed anywhere: its door alone puts it under every rule.
      'src/billing/index.ts': 'export {};\n',
      'src/billing/application/charge.ts':
        "import { page } from '../../messages/domain/message-page';\nexport const c = page;\n",
      'src/messages/application/messages.service.ts':
        "import { FakeClock } from '../../../test/fakes/fake-clock';\nexport const c = FakeClock;\n",
      'src/messages/application/load.ts':
        "import { scenario } from '../../../bench/scenario';\nexport const s = scenario;\n",
      'src/cli.ts': "import { User } from './users/domain/user';\nexport const u = User;\n",
      'src/rpc/rpc.dispatcher.ts':
        "import { User } from '../users/domain/user';\nexport const d = User;\n",
      'test/fakes/fake-clock.ts': 'export class FakeClock {}\n',
      'bench/scenario.ts': 'export const scenario = 1;\n',
    });

    const result = cruise(root, ['src']);

    const [cycles, others] = partition(
      result.summary.violations,
      (v) => v.rule.name === 'no-circular',
    );
    // A cycle is reported once, from whichever of its files the cruise reached first.
    expect(cycles).toHaveLength(1);
    expect([cycles[0].from, cycles[0].to].sort()).toEqual([
      'src/users/domain/user-id.ts',
      'src/users/domain/user.ts',
    ]);
    expect(describeViolations(others)).toEqual(
      [
        'common-not-to-features src/common/http/current-user.ts -> src/users/index.ts',
        'domain-is-plain-typescript src/messages/domain/message.repository.ts -> typeorm/index.d.ts',
        'entry-points-only-through-door src/cli.ts -> src/users/domain/user.ts',
        'domain-is-plain-typescript src/messages/domain/message.ts -> @nestjs/common/index.js',
        'feature-only-through-door src/auth/application/login.service.ts -> src/users/domain/user.ts',
        'feature-only-through-door src/auth/http/auth.controller.ts -> src/users/users.module.ts',
        'feature-only-through-door src/rpc/rpc.dispatcher.ts -> src/users/domain/user.ts',
        'src-not-to-test-or-bench src/messages/application/load.ts -> bench/scenario.ts',
        'src-not-to-test-or-bench src/messages/application/messages.service.ts -> test/fakes/fake-clock.ts',
        'domain-is-plain-typescript src/messages/domain/message-id.ts -> crypto',
        'domain-is-plain-typescript src/messages/domain/message-event.ts -> fastify/fastify.js',
        'domain-is-plain-typescript src/messages/domain/message-page.ts -> zod/index.d.cts',
        'domain-is-plain-typescript src/messages/domain/message.store.ts -> src/messages/application/send.ts',
        'domain-is-plain-typescript src/messages/domain/message.errors.ts -> src/common/errors/index.ts',
        'application-sees-only-domain src/messages/application/send.ts -> src/messages/infrastructure/redis-message.store.ts',
        'application-sees-only-domain src/messages/application/publish.ts -> src/messages/messages.module.ts',
        'infrastructure-not-to-http src/messages/infrastructure/redis-message.store.ts -> src/messages/http/message.body.ts',
        'common-only-through-door src/messages/http/message.body.ts -> src/common/validation/uuid.ts',
        'feature-only-through-door src/billing/application/charge.ts -> src/messages/domain/message-page.ts',
      ].sort(),
    );
    // Guards against a rule added to the config without a case here.
    const ruleNames = result.summary.ruleSetUsed.forbidden.map((rule) => rule.name);
    const broken = new Set(result.summary.violations.map((v) => v.rule.name));
    expect(ruleNames.filter((name) => !broken.has(name))).toEqual([]);
    expect(result.summary.violations.every((v) => v.rule.severity === 'error')).toBe(true);
    expect(result.summary.error).toBe(result.summary.violations.length);
    // What `npm run lint` relies on: the default err reporter exits with the number of errors.
    expect(depcruise(root, ['src']).status).toBe(result.summary.error);
  });

  it('accepts imports through the doors, inward between layers and from domain to DomainError', () => {
    const root = makeFixture(tmp, 'compliant', {
      ...door,
      'src/auth/index.ts': "export { login } from './application/login.service';\n",
      'src/auth/application/login.service.ts':
        "import { User } from '../../users';\nimport { UsersModule } from '../../users/index';\n" +
        'export const login = (u: User) => [u, UsersModule];\n',
      'src/auth/http/auth.controller.ts':
        "import { login } from '../application/login.service';\nexport const c = login;\n",
      'src/messages/index.ts': "export { MessagesModule } from './messages.module';\n",
      'src/messages/messages.module.ts':
        "import { RedisStore } from './infrastructure/redis-message.store';\n" +
        "import { MessagesController } from './http/messages.controller';\n" +
        'export class MessagesModule {}\nexport const wired = [RedisStore, MessagesController];\n',
      'src/messages/domain/message.ts':
        "import type { MessageId } from './message-id';\n" +
        'export const make = (id: MessageId): { id: MessageId } => ({ id });\n',
      'src/messages/domain/message-id.ts': 'export type MessageId = string;\n',
      'src/messages/domain/message.errors.ts':
        "import { DomainError } from '../../common/errors/domain-error';\n" +
        'export class MessageNotFoundError extends DomainError {}\n',
      'src/messages/application/messages.service.ts':
        "import { login } from '../../auth';\nimport type { User } from '../../users';\n" +
        "import { env } from '../../common/config';\n" +
        "import { make } from '../domain/message';\nimport { Injectable } from '@nestjs/common';\n" +
        'export const s = [login, make, Injectable, env];\nexport type U = User;\n',
      'src/messages/infrastructure/redis-message.store.ts':
        "import { s } from '../application/messages.service';\n" +
        "import { make } from '../domain/message';\nexport class RedisStore {}\nexport const r = [s, make];\n",
      'src/messages/http/messages.controller.ts':
        "import { RedisStore } from '../infrastructure/redis-message.store';\n" +
        "import { s } from '../application/messages.service';\n" +
        "import { MessageNotFoundError } from '../domain/message.errors';\n" +
        'export class MessagesController {}\nexport const c = [RedisStore, s, MessageNotFoundError];\n',
      'src/common/errors/domain-error.ts': 'export class DomainError extends Error {}\n',
      'src/common/http/problem.ts': "import { env } from '../config/env';\nexport const p = env;\n",
      'src/common/config/index.ts': "export { env } from './env';\n",
      'src/common/config/env.ts': 'export const env = {};\n',
      'src/app.module.ts':
        "import { UsersModule } from './users';\nimport { env } from './common/config/env';\n" +
        'export const a = [UsersModule, env];\n',
    });

    const result = cruise(root, ['src']);

    expect(describeViolations(result.summary.violations)).toEqual([]);
    expect(result.summary.error).toBe(0);
  });

  it('refuses to run on a tree without feature modules rather than pass it', () => {
    const root = makeFixture(tmp, 'no-modules', {
      'src/users/domain/user.ts':
        "import { Injectable } from '@nestjs/common';\nexport const i = Injectable;\n",
    });

    const run = depcruise(root, ['src']);

    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('no feature module');
  });

  it('finds no violations in the real src and migrations', () => {
    const paths = ['src', 'migrations'].filter((path) => existsSync(join(repoRoot, path)));

    const result = cruise(repoRoot, paths);

    expect(describeViolations(result.summary.violations)).toEqual([]);
    expect(result.summary.error).toBe(0);
  });
});
