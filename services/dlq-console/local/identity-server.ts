/**
 * The local identity provider (port 4596), standing in for Cognito's hosted sign-in with the same authorization-code
 * flow and PKCE (RFC 7636) the page uses against Cognito: the page sends people to /oauth2/authorize with a code
 * challenge, they choose who to be among the local people below and come back with a one-time code, and the page
 * trades the code and its verifier for an ID token at /oauth2/token (answered with CORS, as Cognito's is). Only the
 * local console's address is a place it sends people back to.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_CLIENTS, localSignIn } from './identity';

export const IDENTITY_PORT = 4596;
/** How long a code may wait to be traded (Cognito's last five minutes). */
const CODE_LIFETIME_MS = 5 * 60_000;

/** The local people, and their roles (the Cognito groups they would be in). */
export const LOCAL_PEOPLE = [
  { email: 'ops.viewer@example.com', groups: ['dlq:read'], role: 'looks' },
  {
    email: 'ops.operator@example.com',
    groups: ['dlq:read', 'dlq:redrive', 'dlq:export'],
    role: 'looks, redrives, exports',
  },
  {
    email: 'ops.editor@example.com',
    groups: ['dlq:read', 'dlq:redrive', 'dlq:export', 'dlq:edit:*'],
    role: 'looks, redrives, exports, fixes',
  },
  {
    email: 'engineer@example.com',
    groups: ['dlq:read', 'dlq:redrive', 'dlq:export', 'dlq:edit:*', 'dlq:unmask', 'dlq:purge'],
    role: 'everything, unmasking and purging included',
  },
  { email: 'snoop.writer@example.com', groups: ['rules:read', 'rules:edit'], role: 'writes snoops' },
  {
    email: 'snoop.approver@example.com',
    groups: ['rules:read', 'rules:edit', 'rules:approve', 'rules:publish'],
    role: 'writes, approves and publishes snoops',
  },
] as const;

const escape = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

interface Authorization {
  clientId: string;
  redirect: string;
  state: string;
  challenge: string;
}

function signInPage(authorization: Authorization): string {
  const choices = LOCAL_PEOPLE.map(
    (p, i) =>
      `<p><input type="radio" name="who" id="who-${i}" value="${i}"${i === 1 ? ' checked' : ''}> <label for="who-${i}">${escape(p.email)} (${escape(p.role)})</label></p>`,
  ).join('');
  const hidden = Object.entries({
    client_id: authorization.clientId,
    redirect_uri: authorization.redirect,
    state: authorization.state,
    code_challenge: authorization.challenge,
  })
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escape(value)}">`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in (local)</title></head>
<body style="font:15px system-ui,sans-serif;max-width:40rem;margin:2rem auto">
<h1>Staff sign-in (local)</h1>
<p>The local stand-in for the company's Cognito sign-in (the dead-letter console, the snoop editor): choose who to be.</p>
<form method="post" action="/oauth2/authorize"><fieldset><legend>Sign in as</legend>${choices}</fieldset>
${hidden}<p><button type="submit">Sign in</button></p></form>
</body></html>`;
}

/** What /oauth2/authorize asks for, or what is wrong with it. */
function authorizationOf(params: URLSearchParams, flowChecked: boolean): Authorization | string {
  const clientId = params.get('client_id') ?? '';
  const home = LOCAL_CLIENTS[clientId];
  if (!home) return `client_id must be one of ${Object.keys(LOCAL_CLIENTS).join(', ')}`;
  const redirect = params.get('redirect_uri') ?? '';
  if (!redirect.startsWith(home)) return `redirect_uri must be the client's own page (${home})`;
  if (!flowChecked) {
    if (params.get('response_type') !== 'code') return 'response_type must be code (the authorization-code flow)';
    if (params.get('code_challenge_method') !== 'S256') return 'code_challenge_method must be S256 (PKCE)';
  }
  const challenge = params.get('code_challenge') ?? '';
  if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return 'code_challenge must be a base64url SHA-256 (43 characters)';
  return { clientId, redirect, state: params.get('state') ?? '', challenge };
}

const readBody = (request: http.IncomingMessage): Promise<URLSearchParams> =>
  new Promise((resolve, reject) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => resolve(new URLSearchParams(body)));
    request.on('error', reject);
  });

export async function startIdentityServer(env: Record<string, string | undefined>, port = IDENTITY_PORT) {
  /** Codes handed out and not yet traded: each is good once, for a while. */
  const codes = new Map<
    string,
    { person: (typeof LOCAL_PEOPLE)[number]; clientId: string; challenge: string; redirect: string; expires: number }
  >();

  const tokenAnswer = (response: http.ServerResponse, status: number, body: object) =>
    response
      .writeHead(status, {
        'content-type': 'application/json',
        // As Cognito's token endpoint: a browser page of another origin may trade its code here.
        'access-control-allow-origin': '*',
        'cache-control': 'no-store',
      })
      .end(JSON.stringify(body));

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    const handle = async () => {
      if (url.pathname === '/oauth2/authorize' && request.method === 'GET') {
        const authorization = authorizationOf(url.searchParams, false);
        if (typeof authorization === 'string') return response.writeHead(400).end(authorization);
        return response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(signInPage(authorization));
      }
      if (url.pathname === '/oauth2/authorize' && request.method === 'POST') {
        const form = await readBody(request);
        const person = LOCAL_PEOPLE[Number(form.get('who'))];
        const authorization = authorizationOf(form, true);
        if (!person || typeof authorization === 'string')
          return response.writeHead(400).end(typeof authorization === 'string' ? authorization : 'choose someone');
        // Codes never traded are forgotten once they could no longer be.
        for (const [unused, { expires }] of codes) if (expires < Date.now()) codes.delete(unused);
        const code = randomBytes(24).toString('base64url');
        codes.set(code, { person, ...authorization, expires: Date.now() + CODE_LIFETIME_MS });
        const back = new URL(authorization.redirect);
        back.searchParams.set('code', code);
        if (authorization.state) back.searchParams.set('state', authorization.state);
        return response.writeHead(302, { location: back.toString() }).end();
      }
      if (url.pathname === '/oauth2/token' && request.method === 'POST') {
        const form = await readBody(request);
        const code = form.get('code') ?? '';
        const granted = codes.get(code);
        // A code is good once, whatever happens next.
        codes.delete(code);
        if (form.get('grant_type') !== 'authorization_code' || !LOCAL_CLIENTS[form.get('client_id') ?? ''])
          return tokenAnswer(response, 400, { error: 'unauthorized_client' });
        const verifier = form.get('code_verifier') ?? '';
        if (
          !granted ||
          granted.expires < Date.now() ||
          granted.redirect !== form.get('redirect_uri') ||
          granted.clientId !== form.get('client_id') ||
          createHash('sha256').update(verifier).digest('base64url') !== granted.challenge
        )
          return tokenAnswer(response, 400, { error: 'invalid_grant' });
        const idToken = localSignIn(
          { email: granted.person.email, groups: granted.person.groups, clientId: granted.clientId },
          env,
        );
        return tokenAnswer(response, 200, { id_token: idToken, token_type: 'Bearer', expires_in: 3600 });
      }
      return response.writeHead(404).end('not found');
    };
    handle().catch((error: unknown) => response.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
