/**
 * The local stand-in for the attestation verdict service (in AWS: the service that checks a device's Play Integrity or
 * App Attest attestation with Google or Apple, and signs what it found): a key pair of its own under the local cloud's
 * folder, its public JWKS where the local stage's sign-up check reads it (ATTESTATION_VERDICT_KEYS_FILE), and verdicts
 * signed with it for tests and the demo. Only for the local stage.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair, importPKCS8, SignJWT } from 'jose';
import type { Attestation } from '../contracts';
import { VERDICT_ISSUER } from '../src/adapters/attestation-verdicts';

const REPO_ROOT = path.join(__dirname, '..', '..', '..');

export const verdictKeyDir = (env: Record<string, string | undefined> = process.env): string =>
  path.join(env['LOCAL_CLOUD_DIR'] ?? path.join(REPO_ROOT, '.local-cloud'), 'device-ownership');

/** The stand-in's public keys (what the sign-up check trusts locally). */
export const verdictKeysFile = (env: Record<string, string | undefined> = process.env): string =>
  path.join(verdictKeyDir(env), 'verdicts.jwks.json');

/** The stand-in's key pair, made on first use; its public half written as a JWKS. */
export async function ensureVerdictKeys(env: Record<string, string | undefined> = process.env): Promise<string> {
  const privatePath = path.join(verdictKeyDir(env), 'verdicts.key.pem');
  if (!existsSync(privatePath)) {
    mkdirSync(verdictKeyDir(env), { recursive: true });
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'local', alg: 'ES256', use: 'sig' };
    writeFileSync(verdictKeysFile(env), JSON.stringify({ keys: [jwk] }));
    writeFileSync(privatePath, await exportPKCS8(privateKey), { mode: 0o600 });
  }
  return readFileSync(privatePath, 'utf8');
}

/** A verdict for `deviceId`, as the verdict service would sign it (issued now, valid five minutes unless said). */
export async function signLocalVerdict(
  deviceId: string,
  attestation: Attestation,
  options: { issuedAt?: Date; env?: Record<string, string | undefined> } = {},
): Promise<string> {
  const key = await importPKCS8(await ensureVerdictKeys(options.env), 'ES256');
  const issuedAt = Math.floor((options.issuedAt ?? new Date()).getTime() / 1000);
  return new SignJWT({ attestation })
    .setProtectedHeader({ alg: 'ES256', kid: 'local' })
    .setIssuer(VERDICT_ISSUER)
    .setSubject(deviceId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + 300)
    .sign(key);
}
