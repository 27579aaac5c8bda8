/**
 * The engine's image builds from what the repository holds now (no Docker engine here to build it): its first stage
 * copies every workspace's manifest (npm ci refuses a lockfile whose workspaces it cannot see) and every folder the
 * engine's bundle imports from.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const dockerfile = readFileSync(path.join(__dirname, 'Dockerfile'), 'utf8');
const copied = [...dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)].map((m) => m[1]!);

const workspaces = (
  JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }
).workspaces.flatMap((pattern) =>
  pattern.endsWith('/*')
    ? readdirSync(path.join(ROOT, pattern.slice(0, -2)))
        .map((name) => `${pattern.slice(0, -2)}/${name}`)
        .filter((dir) => statSync(path.join(ROOT, dir)).isDirectory())
    : [pattern],
);

describe("the engine's Dockerfile", () => {
  it("copies every workspace's manifest before npm ci", () => {
    expect(workspaces.filter((dir) => !copied.includes(`${dir}/package.json`))).toEqual([]);
  });

  it('copies every folder of the repository the bundle is built from', async () => {
    const result = await build({
      entryPoints: [path.join(__dirname, 'index.ts')],
      bundle: true,
      platform: 'node',
      write: false,
      metafile: true,
      logLevel: 'silent',
      external: ['pg-native'],
    });
    const sources = Object.keys(result.metafile.inputs).filter((input) => !input.includes('node_modules'));
    const uncovered = sources.filter((source) => !copied.some((folder) => source.startsWith(`${folder}/`)));
    expect(uncovered).toEqual([]);
  });
});
