/** The editor's page script, bundled for the browser at build time (scripts/serverless/esbuild-plugins.cjs). */
declare module 'virtual:snoop-editor-script' {
  const script: string;
  export default script;
}
