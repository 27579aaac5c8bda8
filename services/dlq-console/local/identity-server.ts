/**
 * The local identity provider's sign-in page (port 4596), standing in for Cognito's hosted sign-in: the console's
 * page sends people to /oauth2/authorize, they choose who to be among the local people below, and come back with an
 * ID token in the address's fragment, as Cognito's implicit flow returns it. Only the local console's address is
 * a place it sends people back to.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { localSignIn } from './identity';

export const IDENTITY_PORT = 4596;
const CONSOLE = 'http://127.0.0.1:3050/';

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
] as const;

const escape = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function signInPage(redirect: string): string {
  const choices = LOCAL_PEOPLE.map(
    (p, i) =>
      `<p><input type="radio" name="who" id="who-${i}" value="${i}"${i === 1 ? ' checked' : ''}> <label for="who-${i}">${escape(p.email)} (${escape(p.role)})</label></p>`,
  ).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in (local)</title></head>
<body style="font:15px system-ui,sans-serif;max-width:40rem;margin:2rem auto">
<h1>Sign in to the dead-letter console (local)</h1>
<p>The local stand-in for the console's Cognito sign-in: choose who to be.</p>
<form method="post" action="/oauth2/authorize"><fieldset><legend>Sign in as</legend>${choices}</fieldset>
<input type="hidden" name="redirect_uri" value="${escape(redirect)}"><p><button type="submit">Sign in</button></p></form>
</body></html>`;
}

export async function startIdentityServer(env: Record<string, string | undefined>, port = IDENTITY_PORT) {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname !== '/oauth2/authorize') {
      response.writeHead(404).end('not found');
      return;
    }
    if (request.method === 'GET') {
      const redirect = url.searchParams.get('redirect_uri') ?? CONSOLE;
      if (!redirect.startsWith(CONSOLE)) {
        response.writeHead(400).end(`redirect_uri must be the local console (${CONSOLE})`);
        return;
      }
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(signInPage(redirect));
      return;
    }
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      const person = LOCAL_PEOPLE[Number(form.get('who'))];
      const redirect = form.get('redirect_uri') ?? '';
      if (!person || !redirect.startsWith(CONSOLE)) {
        response.writeHead(400).end('choose someone to sign in as');
        return;
      }
      const token = localSignIn({ email: person.email, groups: person.groups }, env);
      response.writeHead(302, { location: `${redirect}#id_token=${token}&token_type=Bearer&expires_in=3600` }).end();
    });
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
