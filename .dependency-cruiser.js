const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

/**
 * Every folder of src/ with an index.ts (its public door) is a feature module; common is the
 * shared layer below them, not a module. Read from the tree being cruised (the working
 * directory, as depcruise's paths are) so that a new module falls under every rule unedited.
 */
function featureModules(srcDir) {
  const modules = readdirSync(srcDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'common')
    .map((entry) => entry.name)
    .filter((name) => existsSync(join(srcDir, name, 'index.ts')));
  if (modules.length === 0) {
    // Rules over an empty list would pass everything; run depcruise from the repository root.
    throw new Error(
      `.dependency-cruiser.js: no feature module (folder with index.ts) in ${srcDir}`,
    );
  }
  return modules;
}

const MODULE = `(${featureModules(join(process.cwd(), 'src')).join('|')})`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'feature-only-through-door',
      severity: 'error',
      comment:
        'A feature module (or the rpc transport module) may use another one only through its ' +
        'index.ts (the public door). Reaching into src/<other>/domain|application|infrastructure|http couples the ' +
        'modules to each other’s internals and defeats the modular monolith.',
      from: { path: `^src/${MODULE}/` },
      to: {
        path: `^src/${MODULE}/`,
        // $1 is the importing module: its own files are fine, and so is any other module's door.
        pathNot: ['^src/$1/', `^src/${MODULE}/index\\.ts$`],
      },
    },
    {
      name: 'entry-points-only-through-door',
      severity: 'error',
      comment:
        'The wiring files (main.ts, app.module.ts, cli.ts) and migrations see a feature module ' +
        'only through its index.ts, like any other module does.',
      from: { path: ['^src/[^/]+\\.ts$', '^migrations/'] },
      to: {
        path: `^src/${MODULE}/`,
        pathNot: `^src/${MODULE}/index\\.ts$`,
      },
    },
    {
      name: 'common-not-to-features',
      severity: 'error',
      comment:
        'src/common is shared infrastructure below the feature modules; if it imported a feature ' +
        'the layering would invert and every feature would depend on every other one through it.',
      from: { path: '^src/common/' },
      to: { path: `^src/${MODULE}(/|$)` },
    },
    {
      name: 'domain-is-plain-typescript',
      severity: 'error',
      comment:
        'domain/ holds plain TypeScript (entities, value objects, errors, ports) so it can be ' +
        'tested and reasoned about without a framework, an ORM, validation decorators, a driver ' +
        'or HTTP. An allow-list, so no package slips past: domain imports its own module’s ' +
        'domain and the framework-free DomainError, PagePosition and Role, nothing else (no ' +
        'package, no node built-in, no other layer). Widen it here, on purpose, when domain ' +
        'truly needs something more.',
      from: { path: `^src/${MODULE}/domain/` },
      to: {
        pathNot: [
          '^src/$1/domain/',
          '^src/common/errors/domain-error\\.ts$',
          '^src/common/pagination/page-position\\.ts$',
          '^src/common/identity/role\\.ts$',
        ],
      },
    },
    {
      name: 'application-sees-only-domain',
      severity: 'error',
      comment:
        'Layers point inward: application/ uses its own domain (plus common and other modules’ ' +
        'doors), never the adapters in infrastructure/ or http/ or the module’s wiring; it ' +
        'reaches them through the ports that domain declares.',
      from: { path: `^src/${MODULE}/application/` },
      to: { path: '^src/$1/', pathNot: '^src/$1/(application|domain)/' },
    },
    {
      name: 'infrastructure-not-to-http',
      severity: 'error',
      comment:
        'infrastructure/ adapts domain ports to drivers and may use application/ and domain/, ' +
        'but knows nothing of the transport in http/ (nor the module’s wiring); http/ may use ' +
        'every inner layer.',
      from: { path: `^src/${MODULE}/infrastructure/` },
      to: { path: '^src/$1/', pathNot: '^src/$1/(infrastructure|application|domain)/' },
    },
    {
      name: 'common-only-through-door',
      severity: 'error',
      comment:
        'A feature module uses src/common/<area> only through its index.ts, so common can move ' +
        'its files without touching the features. domain/ is exempt: its allow-list names the ' +
        'framework-free file it may import, as the index also exports framework pieces.',
      from: { path: `^src/${MODULE}/`, pathNot: `^src/${MODULE}/domain/` },
      to: { path: '^src/common/', pathNot: '^src/common/[^/]+/index\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Cycles (type-only ones included) make load order fragile, force Nest forwardRef() hacks ' +
        'and mean two modules are really one; break them with a port or by moving the shared part.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-not-to-test-or-bench',
      severity: 'error',
      comment:
        'Production code must not depend on test helpers, fakes or benchmarks: they are not ' +
        'built into dist and would drag test-only code into the app.',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    // Type-only imports (import type, interfaces) count as dependencies too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
