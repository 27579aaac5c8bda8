/**
 * The local identity provider's authorization-code flow with PKCE, as the page uses it (and as Cognito's hosted
 * sign-in answers it): a code comes back only to the console, is traded once, and only with the verifier whose
 * challenge it was issued for.
 */
import { createHash, randomBytes } from 'node:crypto';
import { startIdentityServer } from '../../local/identity-server';

const CONSOLE = 'http://127.0.0.1:3050/';
const CLIENT = 'dlq-console-local';
let server: Awaited<ReturnType<typeof startIdentityServer>>;

beforeAll(async () => {
  server = await startIdentityServer(process.env, 0);
});
afterAll(() => server?.close());

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

/** Signs in as the local person `who` with this challenge; the code and state the console is sent back with. */
async function signIn(challenge: string, who = 2) {
  const form = new URLSearchParams({
    who: String(who),
    // What the sign-in page's hidden fields send back: the client, where to return, the state and the challenge.
    client_id: CLIENT,
    redirect_uri: CONSOLE,
    state: 's-1',
    code_challenge: challenge,
  });
  const response = await fetch(`${server.url}/oauth2/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  expect(response.status).toBe(302);
  const back = new URL(response.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(CONSOLE);
  return { code: back.searchParams.get('code')!, state: back.searchParams.get('state') };
}

const trade = (fields: Record<string, string>) =>
  fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: CLIENT,
      redirect_uri: CONSOLE,
      ...fields,
    }),
  });

it('shows its sign-in page only for the code flow with an S256 challenge, sending people back only to the console', async () => {
  const { challenge } = pkce();
  const authorize = (params: Record<string, string>) =>
    fetch(`${server.url}/oauth2/authorize?${new URLSearchParams(params).toString()}`);
  const good = {
    response_type: 'code',
    client_id: CLIENT,
    redirect_uri: CONSOLE,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  const page = await authorize(good);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('ops.editor@example.com');
  for (const [change, refusal] of [
    [{ response_type: 'token' }, /response_type must be code/],
    [{ code_challenge_method: 'plain' }, /S256/],
    [{ code_challenge: 'short' }, /code_challenge must be/],
    [
      { redirect_uri: 'https://evil.example/' },
      /redirect_uri must be the client's own page \(http:\/\/127.0.0.1:3050\/\)/,
    ],
    // A client's sign-in returns to its own page only: the console's client, not to the editor.
    [{ redirect_uri: 'http://127.0.0.1:3040/editor' }, /redirect_uri must be the client's own page/],
    [{ client_id: 'other' }, /client_id must be one of dlq-console-local, rules-editor-local/],
  ] as const) {
    const refused = await authorize({ ...good, ...change });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(refusal);
  }
});

it('trades a code once, for its verifier only, for an ID token of the person chosen; answered with CORS', async () => {
  const { verifier, challenge } = pkce();
  const { code, state } = await signIn(challenge);
  expect(state).toBe('s-1');

  const wrong = await trade({ code, code_verifier: pkce().verifier });
  expect(wrong.status).toBe(400);
  expect(await wrong.json()).toEqual({ error: 'invalid_grant' });
  // The wrong verifier spent the code: an intercepted code tried first is worth nothing to its owner either.
  expect((await trade({ code, code_verifier: verifier })).status).toBe(400);

  const second = await signIn(challenge);
  const answer = await trade({ code: second.code, code_verifier: verifier });
  expect(answer.status).toBe(200);
  expect(answer.headers.get('access-control-allow-origin')).toBe('*');
  const { id_token: idToken } = (await answer.json()) as { id_token: string };
  const claims = JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  expect(claims).toMatchObject({
    email: 'ops.editor@example.com',
    'cognito:groups': expect.arrayContaining(['dlq:edit:*']),
  });
  expect((await trade({ code: second.code, code_verifier: verifier })).status).toBe(400);

  const third = await signIn(challenge);
  expect(
    (await trade({ code: third.code, code_verifier: verifier, redirect_uri: 'http://127.0.0.1:3050/other' })).status,
  ).toBe(400);
  // A code given to the console's client is not the snoop editor's to trade.
  const fourth = await signIn(challenge);
  expect((await trade({ code: fourth.code, code_verifier: verifier, client_id: 'rules-editor-local' })).status).toBe(
    400,
  );
});
