/**
 * npm start's story for snoop-scheduler: once the announcements on its queue are handled, which rule set the
 * engine would load; then a malformed announcement, and where it goes (the DLQ, with the reason).
 */
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  ATTRIBUTE,
  awsClientSettings,
  awsEnvironmentSchema,
  createDocumentClient,
  createSqsClient,
  loadConfig,
} from '@backbone/shared';
import type { LocalContext } from '@backbone/shared/local';
import { peekMessages, waitFor } from '@backbone/shared/testing';
import { readActiveRuleSet } from '../src/adapters/dynamodb-rule-set-store';

interface Names {
  ruleSetPublishedQueue: string;
  ruleSetPublishedDlq: string;
  ruleSetsTable: string;
}

export async function demoSnoopScheduler(context: LocalContext): Promise<string[]> {
  const names = (await context.serverless()).custom.names as Names;
  const aws = awsClientSettings(loadConfig(awsEnvironmentSchema, context.env));
  const sqs = createSqsClient(aws);
  const documents = createDocumentClient(aws);
  const lines: string[] = [];
  try {
    const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: names.ruleSetPublishedQueue }))).QueueUrl!;
    const dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: names.ruleSetPublishedDlq }))).QueueUrl!;
    // Every announcement sent so far handled (none waiting, none in flight): the active rule set is final.
    await waitFor('the rule-set announcements to be handled', async () => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return Number(Attributes.ApproximateNumberOfMessages) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible) ===
        0
        ? true
        : undefined;
    });
    const active = await waitFor('an active rule set', () => readActiveRuleSet(documents, names.ruleSetsTable));
    lines.push(
      `active rule set ${active.ruleSetVersion.slice(0, 12)}… (${active.ruleCount} snoops), ` +
        `published ${active.publishedAt}, active since ${active.activatedAt}`,
    );

    // A producer that ignores the contract: the consumer sends it to the DLQ with the reason.
    const malformedId = `demo-malformed-${Date.now()}`;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          id: malformedId,
          type: 'RuleSetPublished',
          version: 1,
          occurredAt: new Date().toISOString(),
          correlationId: malformedId,
          data: { ruleSetVersion: 'not-a-hash', ruleCount: 'many' },
        }),
      }),
    );
    const dead = await waitFor('the malformed announcement in the DLQ', async () =>
      (await peekMessages(sqs, dlqUrl)).find((m) => m.Body?.includes(malformedId)),
    );
    lines.push(
      `malformed announcement -> DLQ: ${dead.MessageAttributes?.[ATTRIBUTE.failureReason]?.StringValue ?? '(no reason)'}`,
    );
    return lines;
  } finally {
    sqs.destroy();
    documents.destroy();
  }
}
