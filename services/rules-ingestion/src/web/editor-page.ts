/**
 * The snoop editor's page: one HTML document, its script served beside it (/editor/app.js, bundled by esbuild from
 * src/web/editor). No data in it: the script signs the person in and calls the definitions API, which checks every
 * call. Plain HTML with labels, real buttons, tabs and a live region, so that it works from the keyboard and with a
 * screen reader.
 */
import { pageSettingsJson, signInOriginOf, type StaffSignIn } from '@backbone/shared';

export type EditorPageConfig = StaffSignIn;

export function editorPage(config: EditorPageConfig): string {
  const settings = pageSettingsJson(config);
  const signInOrigin = signInOriginOf(config.signInUrl);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ${signInOrigin}; form-action 'self'">
<title>Snoop editor</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 78rem; padding: 1rem 1.5rem; color: #1b1f24; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 1.4rem; }
  table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
  th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
  td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
  button { font: inherit; padding: .2rem .6rem; border: 1px solid #57606a; border-radius: 4px; background: #f6f8fa; cursor: pointer; }
  button.primary { background: #1f6feb; color: #fff; border-color: #1f6feb; }
  button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #fb8f44; outline-offset: 2px; }
  input, select, textarea { font: inherit; padding: .15rem .3rem; margin: .1rem .2rem; }
  input[aria-invalid="true"] { border: 2px solid #b42318; }
  .muted { color: #57606a; } .error { color: #b42318; font-weight: 600; } .ok { color: #1a7f37; } .fired { color: #1a7f37; font-weight: 600; }
  .condition { border-left: 3px solid #d0d7de; padding: .3rem .6rem; margin: .3rem 0; }
  .parts { margin-left: 1rem; }
  [role="tablist"] button[aria-selected="true"] { background: #1f6feb; color: #fff; }
  .cm-editor { border: 1px solid #57606a; border-radius: 4px; min-height: 3rem; }
  .fields label { display: inline-block; margin: .2rem 1rem .2rem 0; }
</style>
</head>
<body>
<header><h1>Snoop editor</h1><p id="who" class="muted">Not signed in.</p></header>
<main>
  <p id="status" role="status" aria-live="polite"></p>
  <div id="signin" hidden><button id="signin-button" class="primary">Sign in</button></div>
  <section id="reviews-section" hidden aria-labelledby="reviews-title">
    <h2 id="reviews-title">Waiting for review</h2>
    <p class="muted">A change goes live once someone other than its writer approves it: it is then published within a minute, or at the time the approver chooses.</p>
    <table id="reviews"><thead><tr><th scope="col">Snoop</th><th scope="col" class="n">Version</th><th scope="col">Submitted by</th><th scope="col">What changes</th><th scope="col">Impact</th><th scope="col"><span class="muted">Decide</span></th></tr></thead><tbody></tbody></table>
  </section>
  <section id="publications-section" hidden aria-labelledby="publications-title">
    <h2 id="publications-title">Published rule sets</h2>
    <table id="publications"><thead><tr><th scope="col">Version</th><th scope="col" class="n">Snoops</th><th scope="col">Published by</th><th scope="col">When</th><th scope="col"><span class="muted">Compare or restore</span></th></tr></thead><tbody></tbody></table>
    <pre id="comparison" hidden aria-live="polite"></pre>
    <div id="comparison-impact" aria-live="polite"></div>
  </section>
  <section id="snoops-section" hidden aria-labelledby="snoops-title">
    <h2 id="snoops-title">Snoops</h2>
    <button id="new-snoop" type="button">New snoop</button>
    <table id="snoops"><thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Status</th><th scope="col" class="n">Version</th></tr></thead><tbody></tbody></table>
  </section>
  <section id="editor-section" hidden aria-labelledby="snoop-title">
    <h2 id="snoop-title">Snoop</h2>
    <div class="fields">
      <label>Id <input id="field-id" pattern="[a-z0-9][a-z0-9-]*" placeholder="energy-switch"></label>
      <label>Name <input id="field-name" size="32"></label>
      <label>Audience <input id="field-audience" size="10"></label>
      <label>Content <input id="field-content" size="24"></label>
      <label>Valid from <input id="field-valid-from" type="date"></label>
      <label>Valid to <input id="field-valid-to" type="date"></label>
    </div>
    <div role="tablist" aria-label="How to edit the condition">
      <button id="tab-builder" role="tab" type="button" aria-selected="true" aria-controls="builder-panel">Builder</button>
      <button id="tab-text" role="tab" type="button" aria-selected="false" aria-controls="text-panel">Text</button>
    </div>
    <div id="builder-panel" role="tabpanel" aria-labelledby="tab-builder"><h3>When</h3><div id="builder"></div></div>
    <div id="text-panel" role="tabpanel" aria-labelledby="tab-text" hidden>
      <h3 id="when-title">When</h3><div id="when-editor"></div>
      <p class="muted">Ctrl-Space completes fields and functions; Ctrl-Z undoes, Ctrl-Shift-Z redoes.</p>
    </div>
    <h3 id="score-title">Score</h3><div id="score-editor"></div>
    <p id="problems" aria-live="polite"></p>
    <p><button id="save" class="primary" type="button">Save as draft</button>
      <label>Note for the reviewer <input id="review-note" size="40"></label>
      <button id="preview-impact" type="button">Preview impact</button>
      <label>over <select id="impact-customers"><option value="1000">1,000 customers</option><option value="10000" selected>10,000 customers</option><option value="all">every eligible customer</option></select></label>
      <button id="submit-review" type="button">Submit for review</button></p>
    <div id="impact" aria-live="polite"></div>
    <h3>Tried on sample customers</h3>
    <table id="tests"><thead><tr><th scope="col">Customer</th><th scope="col">Fires</th><th scope="col" class="n">Score</th><th scope="col">Why</th></tr></thead><tbody></tbody></table>
    <details><summary>Add a sample customer</summary>
      <label>Name <input id="sample-name" value="my sample"></label><br>
      <label for="sample-json">Facts (JSON)</label><br><textarea id="sample-json" rows="10" cols="80"></textarea><br>
      <button id="add-sample" type="button">Add the sample</button>
    </details>
    <h3>Around each number</h3>
    <p><label>Probe with <select id="probe-sample"></select></label></p>
    <table id="probes"><thead><tr><th scope="col">Number</th><th scope="col">What moves</th><th scope="col">Just below</th><th scope="col">At</th><th scope="col">Just above</th></tr></thead><tbody></tbody></table>
    <h3>History</h3><ol id="history"></ol>
  </section>
</main>
<script id="config" type="application/json">${settings}</script>
<script src="editor/app.js"></script>
</body>
</html>`;
}
