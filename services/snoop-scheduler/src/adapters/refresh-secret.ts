/**
 * The rules engine's secret, with which every call to the engine is signed (signatureHeaders in @backbone/shared: the
 * invoke step's evaluations, the refresh step's refreshes) and checked by the engine: the stage's value locally; in
 * AWS read from Secrets Manager when needed, cached for five minutes (Powertools), so a rotation is followed. Callers
 * sign with the current value; the engine accepts the current and, during a rotation, the previous one.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const MAX_AGE_SECONDS = 300;

type SecretConfig = { RULES_REFRESH_SECRET?: string | undefined; RULES_REFRESH_SECRET_ARN?: string | undefined };

const providerOf = (config: SecretConfig, secretsClient: () => SecretsManagerClient) => {
  const arn = config.RULES_REFRESH_SECRET_ARN;
  if (!arn) throw new Error('set RULES_REFRESH_SECRET_ARN (Secrets Manager) or, locally, RULES_REFRESH_SECRET');
  return { arn, secrets: new SecretsProvider({ awsSdkV3Client: secretsClient() }) };
};

/** The current secret: what a caller signs with. */
export function refreshSecretReader(
  config: SecretConfig,
  secretsClient: () => SecretsManagerClient,
): () => Promise<string> {
  const value = config.RULES_REFRESH_SECRET;
  if (value) return async () => value;
  const { arn, secrets } = providerOf(config, secretsClient);
  return async () => String(await secrets.get(arn, { maxAge: MAX_AGE_SECONDS }));
}

/** The secrets a signature may be made with: the current, and the previous one while a rotation settles. */
export function signingSecretsReader(
  config: SecretConfig,
  secretsClient: () => SecretsManagerClient,
): () => Promise<string[]> {
  const value = config.RULES_REFRESH_SECRET;
  if (value) return async () => [value];
  const { arn, secrets } = providerOf(config, secretsClient);
  return async () => {
    const current = String(await secrets.get(arn, { maxAge: MAX_AGE_SECONDS }));
    const previous = await secrets
      .get(arn, { maxAge: MAX_AGE_SECONDS, sdkOptions: { VersionStage: 'AWSPREVIOUS' } })
      .catch(() => undefined);
    return previous === undefined || previous === null ? [current] : [current, String(previous)];
  };
}
