/**
 * Demo traffic that exists so far: rules-ingestion's announcement of a published
 * rule set, delivered to snoop-scheduler through SQS, plus one malformed
 * announcement to show where bad input goes and why.
 */
import { createHash, randomUUID } from 'node:crypto';
import { GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ATTRIBUTE, publishEnvelopes, ruleSetPublishedV1 } from '../../shared/src';
import { waitFor } from '../../shared/src/testing';

const QUEUE = 'snoop-scheduler-local-rule-set-published';
const DLQ = 'snoop-scheduler-local-rule-set-published-dlq';
const TABLE = 'snoop-scheduler-local-rule-sets';

export async function demoRuleSetAnnouncement(sqs: SQSClient, documents: DynamoDBDocumentClient): Promise<string[]> {
  const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: QUEUE }))).QueueUrl!;
  const dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: DLQ }))).QueueUrl!;
  const active = async () =>
    (await documents.send(new GetCommand({ TableName: TABLE, Key: { pk: 'ACTIVE' }, ConsistentRead: true }))).Item;

  const current = await active();
  const publishedAt = new Date(Math.max(Date.now(), current ? Date.parse(String(current.publishedAt)) + 1_000 : 0));
  const ruleSetVersion = createHash('sha256').update(`demo-${publishedAt.toISOString()}`).digest('hex');
  const announcement = ruleSetPublishedV1.create(
    {
      ruleSetVersion,
      location: { bucket: 'lending-backbone-rules-ingestion-local-eu-west-1', key: `rules/${ruleSetVersion}.snoop` },
      checksumSha256: ruleSetVersion,
      ruleCount: 52,
      publishedAt: publishedAt.toISOString(),
      publishedBy: 'npm-start-demo',
    },
    { id: `rule-set-${ruleSetVersion}` },
  );
  const began = Date.now();
  const [sent] = await publishEnvelopes(sqs, queueUrl, [announcement]);
  if (sent?.status !== 'sent') throw new Error(`demo announcement was not published: ${JSON.stringify(sent)}`);

  const malformedId = `demo-malformed-${randomUUID()}`;
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify({
        ...announcement,
        id: malformedId,
        data: { ...announcement.data, checksumSha256: 'not-a-hash' },
      }),
    }),
  );

  await waitFor('snoop-scheduler to activate the demo rule set', async () =>
    (await active())?.ruleSetVersion === ruleSetVersion ? true : undefined,
  );
  const deliveredMs = Date.now() - began;
  // VisibilityTimeout 0: look at the DLQ without hiding its messages from anyone else.
  const dead = await waitFor('the malformed announcement in the DLQ', async () => {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    return out.Messages?.find((m) => m.Body?.includes(malformedId));
  });
  return [
    `rules-ingestion -> snoop-scheduler: rule set ${ruleSetVersion.slice(0, 12)}… (52 rules) active after ${deliveredMs} ms`,
    `malformed announcement -> ${DLQ}: ${dead.MessageAttributes?.[ATTRIBUTE.failureReason]?.StringValue ?? '(no reason)'}`,
  ];
}
