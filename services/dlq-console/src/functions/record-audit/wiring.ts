import { awsClientSettings, createDocumentClient, loadConfig, type SqsConsumerDeps } from '@backbone/shared';
import { recordAuditEntry } from '../../adapters/dynamodb-console-store';
import { auditTableOf, consoleEnvironmentSchema, consumerParts, SERVICE } from '../../composition-root';
import type { AuditEntry } from '../../domain/ports';

export interface RecordAuditDeps extends SqsConsumerDeps {
  /** Records an entry under its unique id, never over another. */
  record: (entry: AuditEntry, uniqueId: string) => Promise<unknown>;
}

/** The recorder's side effects: the audit table (PutItem of new keys only), its queue's DLQ and backoff. */
export function wireRecordAudit(env: Record<string, string | undefined> = process.env): RecordAuditDeps {
  const config = loadConfig(consoleEnvironmentSchema, env, SERVICE);
  const documents = createDocumentClient(awsClientSettings(config));
  const table = auditTableOf(config);
  return {
    record: (entry, uniqueId) => recordAuditEntry(documents, table, entry, uniqueId),
    ...consumerParts('recordAudit', env),
  };
}
