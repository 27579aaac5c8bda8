import { buildEditorBundle } from './editor-bundle';

describe('the editor page script', () => {
  it('bundles for the browser: CodeMirror, the rules language checker and the page, minified, one file', async () => {
    const script = await buildEditorBundle();
    // An immediately invoked function: no module system, no Node built-ins left to resolve.
    expect(script.startsWith('"use strict";(()=>{')).toBe(true);
    expect(script).not.toMatch(/require\("(node:)?(fs|path|crypto)"\)/);
    // The checker's own words are in it: problems are found in the page, not by a server.
    expect(script).toContain('a condition is true or false; this is');
    expect(script.length).toBeLessThan(1_200_000);
  });
});
