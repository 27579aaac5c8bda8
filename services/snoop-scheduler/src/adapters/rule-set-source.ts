/**
 * Where the rules engine finds rule sets: the rule-sets table (which version is active, and every published one) and
 * the rules files in S3 that rules-ingestion wrote.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RuleSetVersion } from '../domain/active-rule-set';
import { RuleSetHolder, type RuleSetSource } from '../domain/rule-sets';
import { RetryableError, type Logger } from '@backbone/shared';
import { readActiveRuleSet, versionKey } from './dynamodb-rule-set-store';

export function createRuleSetSource(
  documents: DynamoDBDocumentClient,
  s3: S3Client,
  ruleSetsTable: string,
): RuleSetSource {
  return {
    active: () => readActiveRuleSet(documents, ruleSetsTable),
    async version(ruleSetVersion) {
      const { Item } = await documents.send(
        new GetCommand({ TableName: ruleSetsTable, Key: { pk: versionKey(ruleSetVersion) }, ConsistentRead: true }),
      );
      return Item as RuleSetVersion | undefined;
    },
    async fetch({ bucket, key }) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!object.Body) throw new Error('the object has no body');
      return object.Body.transformToByteArray();
    },
  };
}

/**
 * The active rule set's active snoop ids, loaded as the engine loads them and trusted for `maxAgeMs` before it is
 * asked again; a load that fails keeps the set loaded before (said in the log), and with none loaded yet is retried.
 */
export function cachedActiveRuleIds(
  source: RuleSetSource,
  logger: Logger,
  maxAgeMs: number,
): () => Promise<readonly string[] | undefined> {
  const rules = new RuleSetHolder({ source, currency: 'GBP' });
  let checkedAt = 0;
  return async () => {
    if (Date.now() - checkedAt > maxAgeMs || !rules.current) {
      const outcome = await rules.refresh();
      if (!outcome.ok && !rules.current) throw new RetryableError(`no rule set could be loaded: ${outcome.reason}`);
      if (!outcome.ok) logger.warn('keeping the rule set loaded before', { reason: outcome.reason });
      checkedAt = Date.now();
    }
    return rules.current?.ruleSet.activeIds;
  };
}
