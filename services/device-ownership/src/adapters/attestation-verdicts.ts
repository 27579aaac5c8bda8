/**
 * Attestation verdicts, verified: a compact JWS (ES256) signed by the service that checked the device's attestation
 * with Google (Play Integrity) or Apple (App Attest), or locally by the stand-in (local/attestation.ts). Verified with
 * jose against the verdict service's public keys (a JWKS, a stage parameter: public, so no secret); its subject is the
 * device, and it is fresh (issued within the last five minutes, not expired).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet } from 'jose';
import { attestationSchema } from '../../contracts';
import { AttestationRefusedError, type AttestationVerifier } from '../domain/signup-check';

/** How old a verdict may be: a sign-up takes seconds after the app asked for one. */
export const VERDICT_MAX_AGE = '5m';
export const VERDICT_ISSUER = 'attestation-verdicts';

export function createSignedVerdictVerifier(keys: () => JSONWebKeySet | undefined): AttestationVerifier {
  let keySet: ReturnType<typeof createLocalJWKSet> | undefined;
  return {
    async verify(verdict, deviceId, now) {
      const jwks = keys();
      if (!jwks) throw new AttestationRefusedError('no verdict keys are configured: leave attestationVerdict out');
      keySet ??= createLocalJWKSet(jwks);
      try {
        const { payload } = await jwtVerify(verdict, keySet, {
          algorithms: ['ES256'],
          issuer: VERDICT_ISSUER,
          subject: deviceId,
          maxTokenAge: VERDICT_MAX_AGE,
          requiredClaims: ['iat', 'exp'],
          currentDate: now,
        });
        const attestation = attestationSchema.safeParse(payload['attestation'] ?? {});
        if (!attestation.success)
          throw new AttestationRefusedError(`the verdict's attestation: ${attestation.error.issues[0]!.message}`);
        return attestation.data;
      } catch (error) {
        if (error instanceof AttestationRefusedError) throw error;
        // JWTExpired is a JWTClaimValidationFailed: asked first.
        const why =
          error instanceof errors.JWTExpired
            ? 'it has expired: ask the app for a fresh one'
            : error instanceof errors.JWTClaimValidationFailed
              ? `its ${error.claim} claim failed (${error.reason}): a verdict is for one device, and minutes old at most`
              : error instanceof errors.JOSEError
                ? `its signature or form is not one the verdict service made (${error.code})`
                : 'it could not be read';
        throw new AttestationRefusedError(`the attestation verdict was not verified: ${why}`);
      }
    },
  };
}

/**
 * The verdict service's keys: ATTESTATION_VERDICT_KEYS (a JWKS, in AWS a stage parameter), or locally the stand-in's
 * JWKS file (ATTESTATION_VERDICT_KEYS_FILE; read when first needed, as the stand-in makes it when it first signs).
 */
export function verdictKeysFrom(env: Record<string, string | undefined>): () => JSONWebKeySet | undefined {
  const inline = env['ATTESTATION_VERDICT_KEYS'];
  if (inline) {
    const keys = JSON.parse(inline) as JSONWebKeySet;
    return () => keys;
  }
  const file = env['ATTESTATION_VERDICT_KEYS_FILE'];
  if (!file) return () => undefined;
  let keys: JSONWebKeySet | undefined;
  return () => {
    if (!keys && existsSync(file)) keys = JSON.parse(readFileSync(file, 'utf8')) as JSONWebKeySet;
    return keys;
  };
}
