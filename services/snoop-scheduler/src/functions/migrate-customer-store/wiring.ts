import { awsClientSettings, awsEnvironmentSchema, createSecretsManagerClient, loadConfig } from '@backbone/shared';
import { postgresEnvironmentSchema } from '@backbone/shared/postgres';
import { migrateCustomerStore } from '../../adapters/customer-store';
import { SERVICE } from '../../composition-root';

export interface MigrateCustomerStoreDeps {
  /** Applies the migrations in a folder; the names it applied. */
  migrate: (dir: string) => Promise<string[]>;
}

const configSchema = awsEnvironmentSchema.extend(postgresEnvironmentSchema.shape);

/**
 * The customer store as the engine reaches it (RDS Proxy in AWS; the migrations' user must own the customer_store
 * schema), the password from Secrets Manager.
 */
export function wireMigrateCustomerStore(
  env: Record<string, string | undefined> = process.env,
): MigrateCustomerStoreDeps {
  return {
    async migrate(dir) {
      const config = loadConfig(configSchema, env, `${SERVICE}/migrateCustomerStore`);
      const secrets = config.PGPASSWORD_SECRET_ARN ? createSecretsManagerClient(awsClientSettings(config)) : undefined;
      try {
        return await migrateCustomerStore(config, { dir, secrets });
      } finally {
        secrets?.destroy();
      }
    },
  };
}
