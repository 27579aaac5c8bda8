/**
 * The console's page for marketing ops: one HTML document with its own script, served by the API. It holds no data:
 * it signs people in with the authorization-code flow and PKCE (Cognito's hosted sign-in in AWS, the local identity
 * provider locally: a one-time code comes back in the address, traded with the verifier only this tab holds for an ID
 * token, kept in this tab's session storage), then calls the API with the token, which checks every call. Plain HTML
 * with labels, real buttons and a live region, so that it works from the keyboard and with a screen reader.
 */
import { pageSettingsJson, signInOriginOf, type StaffSignIn } from '@backbone/shared';

export type PageConfig = StaffSignIn;

export function consolePage(config: PageConfig): string {
  const settings = pageSettingsJson(config);
  // The page may call its own API, and the identity provider's token endpoint (to trade a sign-in code).
  const signInOrigin = signInOriginOf(config.signInUrl);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self' ${signInOrigin}; form-action 'self'">
<title>Dead letters</title>
<style>
  input { font: inherit; padding: .2rem .4rem; margin-right: .6rem; }
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem; color: #1b1f24; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 1.6rem; }
  table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
  td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
  button { font: inherit; padding: .25rem .7rem; border: 1px solid #57606a; border-radius: 4px; background: #f6f8fa; cursor: pointer; }
  button.primary { background: #1f6feb; color: #fff; border-color: #1f6feb; }
  button:focus-visible, a:focus-visible { outline: 3px solid #fb8f44; outline-offset: 2px; }
  .muted { color: #57606a; } .error { color: #b42318; font-weight: 600; } .warn { color: #9a6700; font-weight: 600; }
  #confirm { border: 2px solid #1f6feb; padding: .8rem 1rem; margin: 1rem 0; border-radius: 6px; }
  progress { width: 20rem; }
  pre { background: #f6f8fa; padding: .6rem; overflow: auto; max-height: 20rem; }
</style>
</head>
<body>
<header><h1>Dead letters</h1><p id="who" class="muted">Not signed in.</p></header>
<main>
  <p id="status" role="status" aria-live="polite"></p>
  <div id="signin" hidden><button id="signin-button" class="primary">Sign in</button></div>
  <section id="queues-section" hidden aria-labelledby="queues-title">
    <h2 id="queues-title">Dead-letter queues</h2>
    <table id="queues"><thead><tr><th scope="col">Queue</th><th scope="col">Fails on</th><th scope="col" class="n">Waiting</th><th scope="col">Oldest</th><th scope="col">Trend</th><th scope="col"><span class="muted">Look</span></th></tr></thead><tbody></tbody></table>
  </section>
  <section id="groups-section" hidden aria-labelledby="groups-title">
    <h2 id="groups-title">Why they failed</h2>
    <table id="groups"><thead><tr><th scope="col" class="n">Count</th><th scope="col">Destination</th><th scope="col">Event</th><th scope="col">Reason</th><th scope="col">Last seen</th><th scope="col">SQS deletes the oldest</th><th scope="col"><span class="muted">Act</span></th></tr></thead><tbody></tbody></table>
    <div id="confirm" hidden tabindex="-1" aria-labelledby="confirm-title">
      <h3 id="confirm-title">Confirm</h3>
      <p id="confirm-text"></p>
      <p><label for="confirm-watch">Watch the first five for</label> <input id="confirm-watch" type="number" min="0" max="600" step="1" size="4"> s <span id="confirm-watch-why" class="muted"></span></p>
      <button id="confirm-go" class="primary">Send them again</button> <button id="confirm-cancel">Cancel</button>
    </div>
    <p id="progress-line" hidden><label for="progress">Redrive</label> <progress id="progress" max="1" value="0"></progress> <span id="progress-text"></span> <button id="progress-cancel" hidden>Cancel the redrive</button></p>
    <h3>Messages</h3>
    <table id="messages"><thead><tr><th scope="col">Message</th><th scope="col">Event</th><th scope="col">Failed at</th><th scope="col">Reason</th></tr></thead><tbody></tbody></table>
    <p><a id="export" href="#">Export these as CSV (personal data masked)</a></p>
    <pre id="detail" hidden aria-label="Message, personal data masked"></pre>
    <form id="fix" hidden aria-labelledby="fix-title">
      <h3 id="fix-title">Fix and send again</h3>
      <p class="muted">The new value is checked against the event's contract before anything is sent; the audit trail records the field's name, not its value.</p>
      <label for="fix-path">Field in data</label> <input id="fix-path" name="path" placeholder="customer.phone" required autocomplete="off">
      <label for="fix-value">New value</label> <input id="fix-value" name="value" required autocomplete="off">
      <button id="fix-go" class="primary" type="submit">Check and send</button>
    </form>
  </section>
  <section id="redrives-section" hidden aria-labelledby="redrives-title">
    <h2 id="redrives-title">Redrives (this week)</h2>
    <table id="redrives"><thead><tr><th scope="col">Asked</th><th scope="col">By</th><th scope="col">Queue</th><th scope="col">What</th><th scope="col">State</th><th scope="col" class="n">Sent</th><th scope="col">Why it stopped</th></tr></thead><tbody></tbody></table>
  </section>
  <section id="audit-section" hidden aria-labelledby="audit-title">
    <h2 id="audit-title">What people did (the audit trail, last 7 days)</h2>
    <table id="audit"><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Did</th><th scope="col">Queue</th><th scope="col">What</th><th scope="col" class="n">How many</th><th scope="col">Outcome</th></tr></thead><tbody></tbody></table>
  </section>
</main>
<script type="application/json" id="config">${settings}</script>
<script>
(() => {
  const config = JSON.parse(document.getElementById('config').textContent);
  const $ = (id) => document.getElementById(id);
  const say = (text, error) => { $('status').textContent = text; $('status').className = error ? 'error' : ''; };
  // How long until SQS deletes a letter, as people say it (the console's timeUntil, for the page).
  const until = (at) => { const m = Math.floor((Date.parse(at) - Date.now()) / 60000); return m <= 1 ? 'now' : m < 60 ? 'in ' + m + ' min' : m < 1440 ? 'in ' + Math.floor(m / 60) + ' h' : 'in ' + Math.floor(m / 1440) + ' d ' + Math.floor((m % 1440) / 60) + ' h'; };
  const cell = (text, cls) => { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; return td; };
  const button = (label, onClick, describedBy) => { const b = document.createElement('button'); b.type = 'button'; b.textContent = label; if (describedBy) b.setAttribute('aria-label', describedBy); b.addEventListener('click', onClick); return b; };
  const age = (ms) => ms === undefined ? '-' : ms < 3600000 ? Math.round(ms / 60000) + ' min' : (ms / 3600000).toFixed(1) + ' h';

  // Sign-in: the authorization-code flow with PKCE. The verifier and state never leave this tab until the code is
  // traded, so a code seen by anyone else (a log, the browser history) is worth nothing.
  const back = location.origin + location.pathname;
  const base64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const signIn = async () => {
    const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
    const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
    sessionStorage.setItem('pkce', JSON.stringify({ verifier, state }));
    const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    const query = new URLSearchParams({ response_type: 'code', client_id: config.clientId, redirect_uri: back, scope: 'openid email', state, code_challenge: challenge, code_challenge_method: 'S256' });
    location.assign(config.signInUrl + '/oauth2/authorize?' + query);
  };
  $('signin-button').addEventListener('click', () => signIn().catch((e) => say(e.message, true)));
  const tradeCode = async () => {
    const query = new URLSearchParams(location.search);
    const code = query.get('code');
    if (!code) return;
    history.replaceState(null, '', location.pathname);
    const pkce = JSON.parse(sessionStorage.getItem('pkce') || '{}');
    sessionStorage.removeItem('pkce');
    if (!pkce.verifier || query.get('state') !== pkce.state) throw new Error('That sign-in was not started here: sign in again.');
    const response = await fetch(config.signInUrl + '/oauth2/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', client_id: config.clientId, code, redirect_uri: back, code_verifier: pkce.verifier }) });
    if (!response.ok) throw new Error('Sign-in failed (' + ((await response.json().catch(() => ({}))).error || response.status) + '): sign in again.');
    sessionStorage.setItem('token', (await response.json()).id_token);
  };
  let token;

  const api = async (path, options = {}) => {
    const response = await fetch('api/' + path, { ...options, headers: { authorization: token, ...(options.body ? { 'content-type': 'application/json' } : {}) } });
    if (response.status === 401) { sessionStorage.removeItem('token'); $('signin').hidden = false; throw new Error('Your sign-in has ended: sign in again.'); }
    const body = response.headers.get('content-type')?.includes('json') ? await response.json() : await response.text();
    if (!response.ok) throw new Error(body.message || String(body));
    return body;
  };

  let current = { dlq: undefined, group: undefined };
  // What the signed-in person may do (GET api/me): the page offers only that. The API checks every call regardless.
  let roles = new Set();
  const may = (role) => roles.has(role);
  const mayEdit = (type) => roles.has('dlq:edit:*') || roles.has('dlq:edit:' + (type || '(untyped)'));

  async function showAudit() {
    const entries = await api('audit?days=7&limit=50');
    const body = $('audit').tBodies[0]; body.replaceChildren();
    for (const e of entries) {
      const row = document.createElement('tr');
      row.append(cell(e.at.slice(0, 19).replace('T', ' ')), cell(e.actor), cell(e.action), cell(e.dlq), cell(e.target), cell(String(e.count), 'n'), cell(e.outcome));
      body.append(row);
    }
    $('audit-section').hidden = false;
  }

  async function showRedrives() {
    const records = await api('redrives?limit=20');
    const body = $('redrives').tBodies[0]; body.replaceChildren();
    for (const r of records) {
      const row = document.createElement('tr'); row.dataset.redrive = r.redriveId;
      const p = r.progress;
      row.append(cell((r.askedAt || r.updatedAt).slice(0, 19).replace('T', ' ')), cell(r.actor), cell(r.dlq), cell(r.summary), cell(r.state),
        cell(p ? p.sent + ' of ' + p.total : '-', 'n'), cell(r.because || ''));
      body.append(row);
    }
    $('redrives-section').hidden = records.length === 0;
  }

  // An action's entry reaches the audit trail through its recorder a moment after the action: looked at again soon.
  const showAuditSoon = () => [1000, 3000, 7000].forEach((ms) => setTimeout(() => showAudit().catch(() => undefined), ms));

  async function showQueues() {
    // The audit trail beside the queues: every look at the queues shows what was last done to them.
    showAudit().catch((e) => say(e.message, true));
    showRedrives().catch((e) => say(e.message, true));
    const queues = await api('queues');
    const body = $('queues').tBodies[0]; body.replaceChildren();
    for (const q of queues) {
      const row = document.createElement('tr');
      row.append(cell(q.name), cell(q.sources.join(', ')), cell(String(q.depth), 'n'), cell(age(q.oldestAgeMs)), cell(q.trend));
      const td = document.createElement('td'); td.append(button('Why', () => showGroups(q.name).catch((e) => say(e.message, true)), 'Why messages failed in ' + q.name)); row.append(td);
      row.dataset.queue = q.name; body.append(row);
    }
    $('queues-section').hidden = false;
  }

  async function showGroups(dlq) {
    current = { dlq, group: undefined };
    const groups = await api('queues/' + encodeURIComponent(dlq) + '/groups');
    const body = $('groups').tBodies[0]; body.replaceChildren();
    for (const g of groups) {
      const row = document.createElement('tr'); row.dataset.group = g.id;
      row.append(cell(String(g.count), 'n'), cell(g.destination), cell(g.messageType), cell(g.reason), cell(g.lastSeen.slice(0, 19).replace('T', ' ')),
        cell(g.oldestDeletedAt ? until(g.oldestDeletedAt) : '-', g.deletedSoon ? 'warn' : undefined));
      if (g.deletedSoon) row.dataset.deletedSoon = 'true';
      const td = document.createElement('td');
      td.append(button('Messages', () => showMessages(dlq, g.id).catch((e) => say(e.message, true)), 'Messages of this group'));
      if (may('dlq:redrive'))
        td.append(' ', button('Dry run', () => dryRun(dlq, g.id).catch((e) => say(e.message, true)), 'Dry run of this group'), ' ',
          button('Redrive', () => planRedrive(dlq, g.id).catch((e) => say(e.message, true)), 'Redrive this group'));
      row.append(td); body.append(row);
    }
    $('groups-title').textContent = 'Why they failed: ' + dlq;
    $('groups-section').hidden = false;
    if (groups.length === 0) { const row = document.createElement('tr'); const td = cell('Nothing in ' + dlq + '.'); td.colSpan = 7; row.append(td); body.append(row); }
    const soon = groups.filter((g) => g.deletedSoon).length;
    if (soon > 0) { $('status').textContent = groups.length + ' group(s) in ' + dlq + '. ' + soon + ' of them lose their oldest letters to SQS within a day (the retention of the DLQ): redrive or export them first.'; $('status').className = 'warn'; }
    else say(groups.length + ' group(s) in ' + dlq + '.');
  }

  async function showMessages(dlq, group) {
    const messages = await api('queues/' + encodeURIComponent(dlq) + '/messages?group=' + encodeURIComponent(group) + '&limit=50');
    const body = $('messages').tBodies[0]; body.replaceChildren();
    for (const m of messages) {
      const row = document.createElement('tr');
      const td = document.createElement('td'); td.append(button(m.messageId.slice(0, 8), () => showMessage(dlq, m), 'Show message ' + m.messageId));
      row.append(td, cell(m.messageType || '-'), cell(m.failedAt.slice(0, 19).replace('T', ' ')), cell(m.reason));
      body.append(row);
    }
    $('export').parentElement.hidden = !may('dlq:export');
    $('export').onclick = async (event) => {
      event.preventDefault();
      const response = await fetch('api/queues/' + encodeURIComponent(dlq) + '/export?format=csv&group=' + encodeURIComponent(group), { headers: { authorization: token } });
      if (!response.ok) { say((await response.json()).message, true); return; }
      const link = document.createElement('a'); link.href = URL.createObjectURL(await response.blob()); link.download = dlq + '.csv'; link.click();
    };
    say(messages.length + ' message(s) shown, personal data masked.');
  }

  function showMessage(dlq, m) {
    $('detail').textContent = JSON.stringify(JSON.parse(m.body || '{}'), null, 2); $('detail').hidden = false;
    if (!mayEdit(m.messageType)) {
      $('fix').hidden = true;
      say('You may not edit ' + (m.messageType || 'untyped') + ' messages: it takes the role dlq:edit:' + (m.messageType || '(untyped)') + '.');
      return;
    }
    $('fix').hidden = false; $('fix-title').textContent = 'Fix and send again: ' + m.messageId.slice(0, 8);
    $('fix').onsubmit = async (event) => {
      event.preventDefault();
      const path = $('fix-path').value.trim();
      // A field that holds a number (an amount) gets a number; any other gets the text as typed (a phone's leading 0 kept).
      const before = path.split('.').reduce((at, key) => (at == null ? undefined : at[key]), (JSON.parse(m.body || '{}')).data);
      const value = typeof before === 'number' ? Number($('fix-value').value) : $('fix-value').value;
      try {
        const result = await api('queues/' + encodeURIComponent(dlq) + '/messages/' + encodeURIComponent(m.messageId) + '/fix', { method: 'POST', body: JSON.stringify({ edits: [{ path, value }] }) });
        $('fix').hidden = true; $('detail').hidden = true; $('fix').reset(); $('messages').tBodies[0].replaceChildren();
        await showQueues(); await showGroups(dlq); showAuditSoon();
        say(result.sent ? 'Sent again with ' + result.fields.join(', ') + ' changed.' : 'It had left the DLQ already: nothing sent.', !result.sent);
      } catch (e) { say(e.message, true); }
    };
  }

  async function dryRun(dlq, group) {
    const result = await api('queues/' + encodeURIComponent(dlq) + '/dry-run', { method: 'POST', body: JSON.stringify({ filter: { group } }) });
    const failing = result.wouldFail.map((f) => f.count + ' because ' + f.reason).join('; ');
    const delivered = result.alreadyDelivered.count > 0 ? ' ' + result.alreadyDelivered.count + ' were delivered since, and would be removed without a send.' : '';
    showAuditSoon();
    say('Dry run: ' + result.wouldPass + ' would pass their consumer’s checks' + (failing ? '; would fail again: ' + failing : '; none would fail again') + '.' + delivered + ' Nothing was sent.', result.wouldFail.length > 0);
  }

  async function planRedrive(dlq, group) {
    const plan = await api('queues/' + encodeURIComponent(dlq) + '/plan', { method: 'POST', body: JSON.stringify({ filter: { group } }) });
    current = { dlq, group, summary: plan.summary };
    $('confirm-text').textContent = 'Send again: ' + plan.summary + '. Five go first; if they fail again, the rest stay.';
    $('confirm-watch').value = String(plan.canaryWatchSeconds);
    $('confirm-watch-why').textContent = '(' + plan.canaryWatchSeconds + ' s: long enough for one that fails again to come back through its queue’s retries)';
    $('confirm').hidden = false; $('confirm').focus();
  }

  $('confirm-cancel').addEventListener('click', () => { $('confirm').hidden = true; say('Nothing was sent.'); });
  $('confirm-go').addEventListener('click', async () => {
    $('confirm').hidden = true;
    try {
      const job = await api('queues/' + encodeURIComponent(current.dlq) + '/redrives', { method: 'POST', body: JSON.stringify({ filter: { group: current.group }, confirm: current.summary, watchSeconds: Number($('confirm-watch').value) }) });
      $('progress-line').hidden = false;
      $('progress-cancel').hidden = false;
      $('progress-cancel').onclick = () => api('redrives/' + job.redriveId + '/cancel', { method: 'POST' })
        .then(() => { $('progress-cancel').hidden = true; say('Cancelling: what was sent stays sent, the rest stays in the DLQ.'); })
        .catch((e) => say(e.message, true));
      for (;;) {
        const state = await api('redrives/' + job.redriveId);
        const p = state.progress || { sent: 0, total: 1 };
        $('progress').max = Math.max(1, p.total || 1); $('progress').value = p.sent || 0;
        $('progress-text').textContent = state.state + (state.progress ? ': ' + p.sent + ' of ' + p.total + ' sent, ' + p.failedAgain + ' failed again' + (p.alreadyDelivered ? ', ' + p.alreadyDelivered + ' delivered already' : '') : '');
        if (['done', 'stopped', 'failed', 'refused'].includes(state.state)) {
          $('progress-cancel').hidden = true;
          // The tables first, then what happened: the last word in the live region is the redrive's.
          await showQueues(); await showGroups(current.dlq); showAuditSoon();
          $('messages').tBodies[0].replaceChildren(); $('detail').hidden = true; $('fix').hidden = true;
          say('Redrive ' + state.state + (state.because ? ': ' + state.because : '') + '.', state.state !== 'done');
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
    } catch (e) { say(e.message, true); }
  });

  tradeCode().catch((e) => say(e.message, true)).then(async () => {
    token = sessionStorage.getItem('token');
    if (!token) { $('signin').hidden = false; return; }
    try {
      const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      $('who').textContent = 'Signed in as ' + (claims.email || claims['cognito:username']) + '.';
    } catch { /* the API decides who it is */ }
    roles = new Set((await api('me')).roles);
    return showQueues();
  }).catch((e) => say(e.message, true));
})();
</script>
</body>
</html>`;
}
