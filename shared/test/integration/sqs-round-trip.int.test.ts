/**
 * The shared producer and consumer against the real SQS emulator (ElasticMQ via
 * the local gateway): batching, per-message results, partial batch failures,
 * dead-lettering with reasons, and SQS's own redrive as the safety net.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { z } from 'zod';
import {
  ATTRIBUTE,
  awsClientSettings,
  awsEnvironmentSchema,
  createContractReader,
  createDeadLetterQueueSink,
  createLogger,
  createSqsClient,
  createSqsConsumer,
  defineContract,
  loadConfig,
  publishEnvelopes,
  RetryableError,
  SQS_MAX_BATCH_BYTES,
  type SqsBatchHandler,
} from '../../src';
import { deliverOneBatch } from '../../src/testing';

const sample = defineContract({ type: 'IntegrationSample', version: 1, schema: z.object({ n: z.number().int() }) });

interface TestQueue {
  url: string;
  arn: string;
  dlq: { url: string; arn: string };
}

let sqs: SQSClient;
const created: string[] = [];

async function createQueuePair(maxReceiveCount: number): Promise<TestQueue> {
  const name = `it-${randomUUID().slice(0, 8)}`;
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!;
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] })))
    .Attributes!.QueueArn!;
  const url = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          VisibilityTimeout: '1',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
        },
      }),
    )
  ).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
    .Attributes!.QueueArn!;
  created.push(url, dlqUrl);
  return { url, arn, dlq: { url: dlqUrl, arn: dlqArn } };
}

async function receiveAll(url: string, expected: number, timeoutMs = 15_000) {
  const messages = [];
  const deadline = Date.now() + timeoutMs;
  while (messages.length < expected && Date.now() < deadline) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    messages.push(...(out.Messages ?? []));
  }
  return messages;
}

async function deliverUntilEmpty(queue: TestQueue, handler: SqsBatchHandler, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await deliverOneBatch(sqs, queue, handler, { waitTimeSeconds: 2 });
  }
}

beforeAll(() => {
  sqs = createSqsClient(awsClientSettings(loadConfig(awsEnvironmentSchema)));
});

afterAll(async () => {
  await Promise.all(created.map((QueueUrl) => sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined)));
  sqs.destroy();
});

describe('shared SQS producer and consumer against the emulator', () => {
  it('publishes 95 messages in batches and every one arrives once', async () => {
    const queue = await createQueuePair(5);
    const envelopes = Array.from({ length: 95 }, (_, n) => sample.create({ n }, { id: `sample-${n}` }));
    const results = await publishEnvelopes(sqs, queue.url, envelopes);
    expect(results.filter((r) => r.status === 'sent')).toHaveLength(95);

    const messages = await receiveAll(queue.url, 95);
    const reader = createContractReader([sample]);
    const numbers = messages.map((m) => reader.read(m.Body!).data.n).sort((a, b) => a - b);
    expect(numbers).toEqual(envelopes.map((e) => e.data.n));
    expect(messages[0]!.MessageAttributes![ATTRIBUTE.type]!.StringValue).toBe('IntegrationSample');
  });

  it('reports an oversized message as failed and sends its batch mates', async () => {
    const queue = await createQueuePair(5);
    const tooBig = defineContract({ type: 'Big', version: 1, schema: z.object({ blob: z.string() }) });
    const envelopes = [
      tooBig.create({ blob: 'x'.repeat(SQS_MAX_BATCH_BYTES) }),
      tooBig.create({ blob: 'small' }),
      tooBig.create({ blob: 'also small' }),
    ];
    const results = await publishEnvelopes(sqs, queue.url, envelopes);
    expect(results.map((r) => r.status)).toEqual(['failed', 'sent', 'sent']);
    expect(await receiveAll(queue.url, 2)).toHaveLength(2);
  });

  it('retries a failing record alone, then dead-letters it with the reason after maxReceiveCount', async () => {
    const maxReceiveCount = 3;
    const queue = await createQueuePair(maxReceiveCount);
    const handled: number[] = [];
    const consumer = createSqsConsumer({
      reader: createContractReader([sample]),
      maxReceiveCount,
      deadLetters: createDeadLetterQueueSink(sqs, async () => queue.dlq.url),
      logger: createLogger('integration-test'),
      async handle(envelope) {
        handled.push(envelope.data.n);
        if (envelope.data.n === 13) throw new RetryableError('the destination answered 503');
      },
    });
    await publishEnvelopes(
      sqs,
      queue.url,
      [12, 13, 14].map((n) => sample.create({ n })),
    );

    await deliverUntilEmpty(queue, consumer, maxReceiveCount + 3);

    // 12 and 14 once each; 13 on each of its maxReceiveCount deliveries.
    expect(handled.filter((n) => n === 13)).toHaveLength(maxReceiveCount);
    expect(handled.filter((n) => n !== 13).sort()).toEqual([12, 14]);
    const [dead, ...more] = await receiveAll(queue.dlq.url, 1, 5_000);
    expect(more).toHaveLength(0);
    const attributes = dead!.MessageAttributes!;
    expect(attributes[ATTRIBUTE.failureReason]!.StringValue).toBe('RetryableError: the destination answered 503');
    expect(attributes[ATTRIBUTE.failureKind]!.StringValue).toBe('retries-exhausted');
    expect(attributes[ATTRIBUTE.failureReceiveCount]!.StringValue).toBe(String(maxReceiveCount));
    expect(attributes[ATTRIBUTE.type]!.StringValue).toBe('IntegrationSample');
    expect(sample.parse(JSON.parse(dead!.Body!) as never).data).toEqual({ n: 13 });
    expect(await receiveAll(queue.url, 1, 2_500)).toHaveLength(0);
  });

  it('falls back on the queue’s own redrive policy when the consumer itself crashes', async () => {
    const queue = await createQueuePair(2);
    const crashing: SqsBatchHandler = async () => {
      throw new Error('out of memory');
    };
    await publishEnvelopes(sqs, queue.url, [sample.create({ n: 1 })]);
    for (let i = 0; i < 2; i++) {
      await expect(deliverOneBatch(sqs, queue, crashing, { waitTimeSeconds: 3 })).rejects.toThrow('out of memory');
    }
    // The third receive finds the message already moved by the emulator.
    await deliverOneBatch(sqs, queue, crashing, { waitTimeSeconds: 2 }).catch(() => undefined);
    const dead = await receiveAll(queue.dlq.url, 1, 5_000);
    expect(dead).toHaveLength(1);
    expect(sample.parse(JSON.parse(dead[0]!.Body!) as never).data).toEqual({ n: 1 });
  });
});
