/**
 * esbuild plugins for every service's build (serverless-esbuild's `plugins`, serverless.common.yml). One for now:
 * `virtual:snoop-editor-script`, the snoop editor's page script bundled for the browser (CodeMirror, the rules
 * language's checker and explanations, the page's code: services/rules-ingestion/src/web/editor), imported by the
 * editor's function as a string. So the page script is built with the function, by the same esbuild, and what is
 * served is always the source beside it. CommonJS: serverless-esbuild loads it with require().
 */
const path = require('node:path');

const EDITOR_ENTRY = path.join(__dirname, '..', '..', 'services', 'rules-ingestion', 'src', 'web', 'editor', 'main.ts');
const EDITOR_MODULE = 'virtual:snoop-editor-script';

/** The page script, minified, as text (esbuild: the build's own, or this project's). */
async function buildSnoopEditorScript(esbuild = require('esbuild')) {
  const result = await esbuild.build({
    entryPoints: [EDITOR_ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

const snoopEditorScript = {
  name: 'snoop-editor-script',
  setup(build) {
    build.onResolve({ filter: /^virtual:snoop-editor-script$/ }, () => ({
      path: EDITOR_MODULE,
      namespace: 'snoop-editor',
    }));
    build.onLoad({ filter: /.*/, namespace: 'snoop-editor' }, async () => ({
      contents: `export default ${JSON.stringify(await buildSnoopEditorScript(build.esbuild))};`,
      loader: 'js',
      // Rebuilt (serverless-offline's watch) when the page's sources change.
      watchDirs: [path.dirname(EDITOR_ENTRY), path.join(__dirname, '..', '..', 'packages', 'rules-language', 'src')],
    }));
  },
};

module.exports = Object.assign([snoopEditorScript], { buildSnoopEditorScript, EDITOR_ENTRY });
