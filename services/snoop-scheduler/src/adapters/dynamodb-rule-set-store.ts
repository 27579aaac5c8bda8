import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RetryableError } from '@backbone/shared';
import type { ActivationOutcome, RuleSetStore, RuleSetVersion } from '../domain/active-rule-set';

/** Partition key of the single item every engine container reads to find the rule set to load. */
export const ACTIVE_RULE_SET_KEY = 'ACTIVE';
export const versionKey = (ruleSetVersion: string): string => `VERSION#${ruleSetVersion}`;

function asRetryable(error: unknown, action: string): never {
  throw new RetryableError(`${action} failed in DynamoDB: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}

export function createDynamoDbRuleSetStore(documents: DynamoDBDocumentClient, tableName: string): RuleSetStore {
  return {
    async recordVersion(version) {
      try {
        await documents.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: versionKey(version.ruleSetVersion), ...version },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return;
        asRetryable(error, `recording rule set ${version.ruleSetVersion}`);
      }
    },

    async activate(version): Promise<ActivationOutcome> {
      // An update of the version's fields, not a put of a new item: the pointer's lastServed (the version engines were
      // last seen serving) stays until engines confirm this one.
      const fields = { ...version, activatedAt: new Date().toISOString() };
      const names = Object.keys(fields);
      try {
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: ACTIVE_RULE_SET_KEY },
            UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
            // ISO-8601 UTC timestamps of equal format compare correctly as strings.
            ConditionExpression: 'attribute_not_exists(pk) OR #published < :publishedAt',
            ExpressionAttributeNames: {
              ...Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
              '#published': 'publishedAt',
            },
            ExpressionAttributeValues: {
              ...Object.fromEntries(names.map((name, i) => [`:f${i}`, fields[name as keyof typeof fields]])),
              ':publishedAt': version.publishedAt,
            },
          }),
        );
        return 'activated';
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) asRetryable(error, 'activating the rule set');
      }
      // The condition failed: either this very version is active (a redelivery) or a later one is.
      const current = await documents.send(
        new GetCommand({ TableName: tableName, Key: { pk: ACTIVE_RULE_SET_KEY }, ConsistentRead: true }),
      );
      return (current.Item as RuleSetVersion | undefined)?.ruleSetVersion === version.ruleSetVersion
        ? 'already-active'
        : 'superseded';
    },
  };
}

/**
 * The rule set the engine loads now, with when it became active and the newest version engines were seen serving;
 * undefined before the first publication.
 */
export async function readActiveRuleSet(
  documents: DynamoDBDocumentClient,
  tableName: string,
): Promise<(RuleSetVersion & { activatedAt: string; lastServed?: string }) | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: tableName, Key: { pk: ACTIVE_RULE_SET_KEY }, ConsistentRead: true }),
  );
  return Item as (RuleSetVersion & { activatedAt: string; lastServed?: string }) | undefined;
}

/** Notes on the active pointer that engines serve `version`, unless the pointer has moved on since. */
export function confirmServedVersion(documents: DynamoDBDocumentClient, tableName: string) {
  return async (version: string): Promise<void> => {
    try {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: ACTIVE_RULE_SET_KEY },
          UpdateExpression: 'SET lastServed = :version',
          ConditionExpression: 'ruleSetVersion = :version',
          ExpressionAttributeValues: { ':version': version },
        }),
      );
    } catch (error) {
      // A newer version is active now: its own refresh confirms it.
      if (!(error instanceof ConditionalCheckFailedException)) asRetryable(error, 'noting the served rule set');
    }
  };
}
