// Lints the OpenAPI document read from stdin with Redocly's `recommended` ruleset and prints the
// problems left as JSON. Its argument maps rule ids to the JSON pointers where a rule is waived.
// A script of its own: @redocly/openapi-core is ESM only, which Jest's CommonJS runtime cannot load.
import { text } from 'node:stream/consumers';
import { createConfig, lintFromString } from '@redocly/openapi-core';

const SOURCE = 'docs-json.json';
const waived = JSON.parse(process.argv[2] ?? '{}');
const ignore = {
  [SOURCE]: Object.fromEntries(
    Object.entries(waived).map(([rule, pointers]) => [rule, new Set(pointers)]),
  ),
};
const config = await createConfig({ extends: ['recommended'] }, { ignore });
const problems = await lintFromString({
  source: await text(process.stdin),
  absoluteRef: SOURCE,
  config,
});
process.stdout.write(
  JSON.stringify(
    problems
      .filter((problem) => !problem.ignored)
      .map(({ ruleId, severity, message, location }) => ({
        ruleId,
        severity,
        message,
        at: location[0]?.pointer,
      })),
  ),
);
