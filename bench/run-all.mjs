// Runs every benchmark case in turn (each against its own same-run baseline) and writes the
// results to bench/results/latest.json and latest.md. Usage: npm run bench [-- seconds rounds]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

const seconds = Number(process.argv[2] ?? 8);
const rounds = Number(process.argv[3] ?? 2);
const cases = [
  'framework-floor',
  'authenticated-read',
  'public-list',
  'login-storm',
  'prune',
  'logging',
  'password-forgot',
  'mfa-login',
  'observability',
  'redis-cluster',
  'refresh',
  'fan-out',
];

const started = Date.now();
const results = [];
for (const name of cases) {
  const { run } = await import(`./cases/${name}.mjs`);
  const caseStarted = Date.now();
  console.log(`\n== ${name}`);
  try {
    const result = await run({ seconds, rounds });
    results.push({ ...result, seconds: Math.round((Date.now() - caseStarted) / 1000) });
    console.log(JSON.stringify(result, null, 2));
  } catch (error) {
    results.push({ case: name, error: error.message });
    console.error(`${name} failed: ${error.message}`);
  }
}

const MEMORY_TARGET_MB = 250;
/** A case with two services (redis-cluster: one server and a cluster) reports the larger RSS. */
const rssOf = ({ rssMb }) =>
  typeof rssMb === 'object' && rssMb !== null ? Math.max(...Object.values(rssMb)) : rssMb;
const lines = [
  `Benchmarks of ${new Date().toISOString().slice(0, 10)} — ${cpus().length} cores, Node ${process.version}, ${seconds} s per run, ${rounds} rounds`,
  '',
  '| case | ratio | target | met | service RSS after (MB, target < 250) |',
  '|---|---|---|---|---|',
  ...results.map((result) =>
    result.error
      ? `| ${result.case} | failed: ${result.error} | | | |`
      : `| ${result.case} | ${result.ratio?.toFixed(2) ?? '—'}${result.p50Ratio ? ` (p50 100k/100: ${result.p50Ratio.toFixed(2)})` : ''}${result.sameWorkRatio ? ` (same work: ${result.sameWorkRatio.toFixed(2)})` : ''} | ${result.target ?? '—'} | ${result.met === null || result.met === undefined ? '—' : result.met ? 'yes' : 'no'} | ${rssOf(result)?.toFixed(0) ?? '—'}${rssOf(result) > MEMORY_TARGET_MB ? ' (over)' : ''} |`,
  ),
  '',
  `Total time: ${Math.round((Date.now() - started) / 1000)} s`,
];
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', JSON.stringify(results, null, 2));
writeFileSync('bench/results/latest.md', `${lines.join('\n')}\n`);
console.log(`\n${lines.join('\n')}`);
if (results.some((result) => result.error)) process.exitCode = 1;
