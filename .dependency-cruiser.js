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
      from: { path: '^src/(users|auth|messages|rpc)/' },
      to: {
        path: '^src/(users|auth|messages|rpc)/',
        // $1 is the importing module: its own files are fine, and so is any other module's door.
        pathNot: ['^src/$1/', '^src/(users|auth|messages|rpc)/index\\.ts$'],
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
        path: '^src/(users|auth|messages|rpc)/',
        pathNot: '^src/(users|auth|messages|rpc)/index\\.ts$',
      },
    },
    {
      name: 'common-not-to-features',
      severity: 'error',
      comment:
        'src/common is shared infrastructure below the feature modules; if it imported a feature ' +
        'the layering would invert and every feature would depend on every other one through it.',
      from: { path: '^src/common/' },
      to: { path: '^src/(users|auth|messages|rpc)(/|$)' },
    },
    {
      name: 'domain-is-plain-typescript',
      severity: 'error',
      comment:
        'domain/ holds plain TypeScript (entities, value objects, errors, ports) so it can be ' +
        'tested and reasoned about without a framework, an ORM, validation decorators, a driver ' +
        'or HTTP. Matches both resolved paths (node_modules/...) and bare names of unresolvable ' +
        'modules, and the @types/ packages that type-only imports resolve to.',
      // Two patterns rather than ^src/(.+/)?domain/, which dependency-cruiser rejects as unsafe.
      from: { path: ['^src/domain/', '^src/.+/domain/'] },
      to: {
        path: '(^|node_modules/)(@types/)?(@nestjs/[^/]+|typeorm|class-validator|class-transformer|ioredis|pg|express)(/|$)',
      },
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
