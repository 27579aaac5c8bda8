/**
 * The local stand-in for the console's identity provider (a Cognito user pool in AWS): a key pair of its own under
 * the local cloud's folder, tokens shaped as Cognito's ID tokens (email, cognito:username, cognito:groups), and the
 * issuer serverless-offline's check (cognito-authentication.cjs) trusts. Only for the local stage.
 */
import { createHash, createSign, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const LOCAL_ISSUER = 'http://127.0.0.1:3050/local-identity';
export const LOCAL_CLIENT_ID = 'dlq-console-local';
/** The snoop editor's client of the same local pool (rules-ingestion's page): staff sign in once for both. */
export const LOCAL_EDITOR_CLIENT_ID = 'rules-editor-local';

/** Each local client, and the one address its sign-in may send people back to (as a Cognito app client's). */
export const LOCAL_CLIENTS: Readonly<Record<string, string>> = {
  [LOCAL_CLIENT_ID]: 'http://127.0.0.1:3050/',
  [LOCAL_EDITOR_CLIENT_ID]: 'http://127.0.0.1:3040/editor',
};

const REPO_ROOT = path.join(__dirname, '..', '..', '..');

/** Where the local issuer's keys live (the cognito-authentication.cjs check reads the public one there too). */
export const issuerKeyDir = (env: Record<string, string | undefined> = process.env): string =>
  path.join(env['LOCAL_CLOUD_DIR'] ?? path.join(REPO_ROOT, '.local-cloud'), 'dlq-console');

/** The issuer's key pair, made on first use. */
export function ensureIssuerKeys(env: Record<string, string | undefined> = process.env): { privateKey: string } {
  const dir = issuerKeyDir(env);
  const privatePath = path.join(dir, 'issuer.key.pem');
  if (!existsSync(privatePath)) {
    mkdirSync(dir, { recursive: true });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(path.join(dir, 'issuer.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return { privateKey: readFileSync(privatePath, 'utf8') };
}

const base64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

/** A local person's stable subject, shaped as Cognito's (a UUID), derived from their email. */
export const subjectOf = (email: string): string => {
  const hex = createHash('sha256').update(email).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/** A signed-in person's ID token, as the local issuer signs it (RS256, an hour unless said otherwise). */
export function localSignIn(
  user: { email: string; groups: readonly string[]; validSeconds?: number; clientId?: string },
  env: Record<string, string | undefined> = process.env,
): string {
  const { privateKey } = ensureIssuerKeys(env);
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'local' }));
  const payload = base64url(
    JSON.stringify({
      iss: LOCAL_ISSUER,
      aud: user.clientId ?? LOCAL_CLIENT_ID,
      // As Cognito writes them with email sign-in: the subject a stable id, the user name the same, the email verified.
      sub: subjectOf(user.email),
      email: user.email,
      email_verified: true,
      'cognito:username': subjectOf(user.email),
      'cognito:groups': user.groups,
      token_use: 'id',
      iat: now,
      exp: now + (user.validSeconds ?? 3_600),
    }),
  );
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}
