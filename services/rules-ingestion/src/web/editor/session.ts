/// <reference lib="dom" />
/**
 * Who is signed in, and the definitions API with their token: the authorization-code flow with PKCE against the staff
 * pool's sign-in (the verifier and state never leave this tab), and every call answered in words, 401 included.
 */
import { $ } from './page';

interface PageConfig {
  signInUrl: string;
  clientId: string;
}
const config = JSON.parse(document.getElementById('config')!.textContent) as PageConfig;

// ---- sign-in: the authorization-code flow with PKCE; the verifier and state never leave this tab ----

const back = location.origin + location.pathname;
const base64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

export async function signIn(): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem('pkce', JSON.stringify({ verifier, state }));
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: back,
    scope: 'openid email',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`${config.signInUrl}/oauth2/authorize?${query}`);
}

export async function tradeCode(): Promise<void> {
  const query = new URLSearchParams(location.search);
  const code = query.get('code');
  if (!code) return;
  history.replaceState(null, '', location.pathname);
  const pkce = JSON.parse(sessionStorage.getItem('pkce') ?? '{}') as { verifier?: string; state?: string };
  sessionStorage.removeItem('pkce');
  if (!pkce.verifier || query.get('state') !== pkce.state)
    throw new Error('That sign-in was not started here: sign in again.');
  const response = await fetch(`${config.signInUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code,
      redirect_uri: back,
      code_verifier: pkce.verifier,
    }),
  });
  if (!response.ok) throw new Error(`Sign-in failed (${response.status}): sign in again.`);
  sessionStorage.setItem('token', ((await response.json()) as { id_token: string }).id_token);
}

// ---- the definitions API, beside this page ----

const apiBase = location.pathname.replace(/\/editor\/?$/, '');
let token = '';
/** The signed-in person's roles, from their token (the API checks every call regardless: this only hides buttons). */
let roles = new Set<string>();
export const may = (role: string): boolean => roles.has(role);

/** Takes the token this tab signed in with, and the roles (the staff pool's groups) it names. */
export function useToken(idToken: string, groups: readonly string[]): void {
  token = idToken;
  roles = new Set(groups);
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, options: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`${apiBase}${path}`, {
    method: options.method ?? 'GET',
    headers: { authorization: token, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  if (response.status === 401) {
    sessionStorage.removeItem('token');
    $('signin').hidden = false;
    throw new ApiError('Your sign-in has ended: sign in again.', 401, {});
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const problems = Array.isArray(body['problems']) ? ` ${(body['problems'] as string[]).join('; ')}` : '';
    const message = typeof body['message'] === 'string' ? body['message'] : response.statusText;
    throw new ApiError(`${message}${problems}`, response.status, body);
  }
  return body as T;
}
