import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface LintProblem {
  readonly ruleId: string;
  readonly severity: 'error' | 'warn';
  readonly message: string;
  /** JSON pointer of the problem in the document, e.g. `#/paths/~1health/get/responses`. */
  readonly at: string;
}

/**
 * Lints an OpenAPI document with Redocly's `recommended` ruleset (errors and warnings), except
 * the rules waived at the given JSON pointers.
 */
export function lintOpenApi(
  document: unknown,
  waived: Record<string, readonly string[]> = {},
): Promise<LintProblem[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [join(__dirname, 'lint-openapi.mjs'), JSON.stringify(waived)],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
    child.stdin!.end(JSON.stringify(document));
  });
}
