/**
 * The rules engine's refresh secret, for the engine (which checks it) and the refresh step (which sends it): the
 * stage's value locally; in AWS read from Secrets Manager when needed, cached for five minutes (Powertools), so a
 * rotation is followed.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const MAX_AGE_SECONDS = 300;

export function refreshSecretReader(
  config: { RULES_REFRESH_SECRET?: string | undefined; RULES_REFRESH_SECRET_ARN?: string | undefined },
  secretsClient: () => SecretsManagerClient,
): () => Promise<string> {
  const value = config.RULES_REFRESH_SECRET;
  if (value) return async () => value;
  const arn = config.RULES_REFRESH_SECRET_ARN;
  if (!arn) throw new Error('set RULES_REFRESH_SECRET_ARN (Secrets Manager) or, locally, RULES_REFRESH_SECRET');
  const secrets = new SecretsProvider({ awsSdkV3Client: secretsClient() });
  return async () => String(await secrets.get(arn, { maxAge: MAX_AGE_SECONDS }));
}
