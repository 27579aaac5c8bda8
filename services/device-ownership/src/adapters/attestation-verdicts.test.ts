import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { AttestationRefusedError } from '../domain/signup-check';
import { createSignedVerdictVerifier, VERDICT_ISSUER, verdictKeysFrom } from './attestation-verdicts';

const NOW = new Date('2026-12-01T12:00:00Z');
const SAYS = { resetProofFlag: { set: false, writtenAt: '2026-12-01T11:59:00Z' } };

async function verdictService() {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] };
  return { privateKey, jwks };
}

const sign = (
  key: KeyLike,
  claims: { subject?: string; issuedAt?: Date; issuer?: string; alg?: string; attestation?: unknown } = {},
) => {
  const iat = Math.floor((claims.issuedAt ?? NOW).getTime() / 1000);
  return new SignJWT({ attestation: claims.attestation ?? SAYS })
    .setProtectedHeader({ alg: claims.alg ?? 'ES256', kid: 'k1' })
    .setIssuer(claims.issuer ?? VERDICT_ISSUER)
    .setSubject(claims.subject ?? 'dev-1')
    .setIssuedAt(iat)
    .setExpirationTime(iat + 300)
    .sign(key);
};

describe('attestation verdicts, verified server-side', () => {
  it('reads what a verdict the verdict service signed says about its device', async () => {
    const { privateKey, jwks } = await verdictService();
    const verifier = createSignedVerdictVerifier(() => jwks);
    await expect(verifier.verify(await sign(privateKey), 'dev-1', NOW)).resolves.toEqual(SAYS);
  });

  it('refuses another key’s, another device’s, a stale, an altered and an unsigned verdict, saying why', async () => {
    const { privateKey, jwks } = await verdictService();
    const forger = await verdictService();
    const verifier = createSignedVerdictVerifier(() => jwks);
    const good = await sign(privateKey);
    const [head, , signature] = good.split('.');
    const altered = `${head}.${Buffer.from(JSON.stringify({ attestation: { resetProofFlag: { set: false, writtenAt: '2026-12-01T11:59:00Z' } }, sub: 'dev-1', iss: VERDICT_ISSUER, iat: 1, exp: 9e9 })).toString('base64url')}.${signature}`;
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${good.split('.')[1]}.`;
    const cases: [string, string, RegExp][] = [
      ['another key', await sign(forger.privateKey), /signature or form/],
      ['another device', await sign(privateKey, { subject: 'dev-2' }), /sub claim failed/],
      ['ten minutes old', await sign(privateKey, { issuedAt: new Date(NOW.getTime() - 600_000) }), /expired|iat claim/],
      ['another issuer', await sign(privateKey, { issuer: 'me' }), /iss claim failed/],
      ['altered', altered, /signature or form/],
      ['unsigned', unsigned, /signature or form/],
      ['not a verdict', 'hello', /signature or form/],
    ];
    for (const [what, verdict, why] of cases) {
      const refused = await verifier.verify(verdict, 'dev-1', NOW).then(
        () => 'verified',
        (error: unknown) => (error instanceof AttestationRefusedError ? error.message : `threw ${String(error)}`),
      );
      expect([what, refused]).toEqual([what, expect.stringMatching(why)]);
    }
  });

  it('refuses every verdict where no keys are configured, and reads keys from the stage parameter or the local file', async () => {
    await expect(createSignedVerdictVerifier(() => undefined).verify('x', 'dev-1', NOW)).rejects.toThrow(
      /no verdict keys are configured/,
    );
    expect(verdictKeysFrom({})()).toBeUndefined();
    expect(verdictKeysFrom({ ATTESTATION_VERDICT_KEYS: '{"keys":[]}' })()).toEqual({ keys: [] });
    expect(verdictKeysFrom({ ATTESTATION_VERDICT_KEYS_FILE: '/nonexistent/jwks.json' })()).toBeUndefined();
  });
});
