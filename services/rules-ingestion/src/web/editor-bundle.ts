/**
 * The editor's page script as the build makes it (scripts/serverless/esbuild-plugins.cjs, the one definition of it),
 * for the tests and the benchmark, which run without a serverless build.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

const plugins = createRequire(__filename)(
  path.join(__dirname, '..', '..', '..', '..', 'scripts', 'serverless', 'esbuild-plugins.cjs'),
) as { buildSnoopEditorScript: () => Promise<string> };

export const buildEditorBundle = (): Promise<string> => plugins.buildSnoopEditorScript();
