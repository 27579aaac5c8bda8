// Bundles the rules engine into one file, dist/engine.js: what the container image holds and what the local
// processes run, with the same command (node engine.js). Everything it imports is in the bundle, so the image needs
// no node_modules.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const service = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [path.join(service, 'engine', 'index.ts')],
  outfile: path.join(service, 'dist', 'engine.js'),
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: 'linked',
  // Optional native add-ons of pg that the engine does not use.
  external: ['pg-native'],
  logLevel: 'warning',
});
