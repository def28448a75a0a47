import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const LTS_MAJOR = 26;

const major = (version: string) => Number(/\d+/.exec(version)?.[0]);

describe('The Node runtime', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    engines: { node: string };
    devDependencies: Record<string, string>;
  };

  it(`runs the tests on Node ${LTS_MAJOR}, the pinned \`node\` package, whatever the machine has`, () => {
    expect(major(process.version)).toBe(LTS_MAJOR);
    expect(major(manifest.devDependencies.node)).toBe(LTS_MAJOR);
  });

  it('is the line the Docker image is built on and `engines` requires', () => {
    const images = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').match(/^FROM node:\S+/gm);
    expect(images).toEqual([
      `FROM node:${LTS_MAJOR}-bookworm-slim`,
      `FROM node:${LTS_MAJOR}-bookworm-slim`,
    ]);
    expect(manifest.engines.node).toMatch(new RegExp(`^>=${LTS_MAJOR}\\.`));
  });
});
