/**
 * Where the rules engine finds rule sets: the rule-sets table (which version is active, and every published one) and
 * the rules files in S3 that rules-ingestion wrote.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RuleSetVersion } from '../domain/active-rule-set';
import type { RuleSetSource } from '../domain/engine/rule-sets';
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
