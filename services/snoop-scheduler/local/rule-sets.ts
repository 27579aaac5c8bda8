/**
 * Rule sets for the engine in local runs, tests and the benchmark, published the way rules-ingestion publishes them
 * (the file at rules/<version>.snoop in the rules bucket, its version the SHA-256 of its text) and recorded and
 * activated by snoop-scheduler's own domain function, as the rule-set-published Lambda does on the announcement.
 */
import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  awsClientSettings,
  awsEnvironmentSchema,
  createDocumentClient,
  createS3Client,
  loadConfig,
} from '@backbone/shared';
import { ruleSetPublishedV1 } from '../contracts';
import { createDynamoDbRuleSetStore } from '../src/adapters/dynamodb-rule-set-store';
import { recordPublishedRuleSet, toRuleSetVersion, type RuleSetVersion } from '../src/domain/active-rule-set';

export async function publishRuleSetLocally(
  env: Record<string, string | undefined>,
  options: { ruleSetsTable: string; bucket: string; text: string; publishedAt?: Date; activate?: boolean },
): Promise<RuleSetVersion> {
  const aws = awsClientSettings(loadConfig(awsEnvironmentSchema, env));
  const version = createHash('sha256').update(options.text, 'utf8').digest('hex');
  const key = `rules/${version}.snoop`;
  const s3 = createS3Client(aws);
  const documents = createDocumentClient(aws);
  try {
    await s3.send(new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: options.text }));
    const announcement = ruleSetPublishedV1.create({
      ruleSetVersion: version,
      location: { bucket: options.bucket, key },
      checksumSha256: version,
      ruleCount: (options.text.match(/^snoop /gm) ?? []).length,
      publishedAt: (options.publishedAt ?? new Date()).toISOString(),
      publishedBy: 'local',
    });
    const store = createDynamoDbRuleSetStore(documents, options.ruleSetsTable);
    // Recorded only (a version to roll back to or forward to), or recorded and made the active one.
    if (options.activate === false) await store.recordVersion(toRuleSetVersion(announcement.data));
    else await recordPublishedRuleSet(announcement.data, store);
    return {
      ruleSetVersion: version,
      bucket: options.bucket,
      key,
      checksumSha256: version,
      ruleCount: announcement.data.ruleCount,
      publishedAt: announcement.data.publishedAt,
      publishedBy: 'local',
    };
  } finally {
    s3.destroy();
    documents.destroy();
  }
}
