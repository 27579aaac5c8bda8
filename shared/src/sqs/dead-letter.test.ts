import type { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { sqsRecordFactory } from '../testing/lambda';
import { deadLetterRecordedV1 } from '../contracts/dead-letters';
import { createDeadLetterQueueSink } from './dead-letter';

/** What the sink sends, through an SQS client that only records (the integration tests use ElasticMQ). */
function recordingSink() {
  const sent: SendMessageCommand['input'][] = [];
  const sqs = { send: async (command: SendMessageCommand) => void sent.push(command.input) };
  return { sink: createDeadLetterQueueSink(sqs as unknown as SQSClient, async () => 'https://sqs/dlq'), sent };
}

const attribute = (stringValue: string, dataType = 'String') => ({
  stringValue,
  dataType,
  stringListValues: [],
  binaryListValues: [],
});

describe('createDeadLetterQueueSink', () => {
  it('keeps the body and the envelope attributes, and describes the failure in six more', async () => {
    const { sink, sent } = recordingSink();
    const record: SQSRecord = {
      ...sqsRecordFactory('{"id":"e-1"}'),
      messageId: 'm-1',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:events',
      messageAttributes: {
        'message.type': attribute('RegistrationCompleted'),
        'message.version': attribute('1', 'Number'),
        'failure.reason': attribute('an older failure'),
        blob: {
          binaryValue: Buffer.from('hi').toString('base64'),
          dataType: 'Binary',
          stringListValues: [],
          binaryListValues: [],
        },
        empty: { dataType: 'String', stringListValues: [], binaryListValues: [] },
      },
    };
    await sink.send(record, { kind: 'retries-exhausted', reason: 'x'.repeat(1_500), receiveCount: 5 });
    expect(sent).toHaveLength(1);
    const [message] = sent;
    expect(message!.QueueUrl).toBe('https://sqs/dlq');
    expect(message!.MessageBody).toBe('{"id":"e-1"}');
    expect(message!.MessageGroupId).toBeUndefined();
    const attributes = message!.MessageAttributes!;
    expect(Object.keys(attributes)).toEqual([
      'message.type',
      'message.version',
      'blob',
      'failure.reason',
      'failure.kind',
      'failure.at',
      'failure.source',
      'failure.receiveCount',
      'failure.originalMessageId',
    ]);
    expect(attributes['message.type']).toEqual({ DataType: 'String', StringValue: 'RegistrationCompleted' });
    expect(attributes.blob).toEqual({ DataType: 'Binary', BinaryValue: Buffer.from('hi') });
    expect(attributes['failure.reason']).toEqual({ DataType: 'String', StringValue: 'x'.repeat(1_000) });
    expect(attributes['failure.kind']!.StringValue).toBe('retries-exhausted');
    expect(Date.now() - Date.parse(attributes['failure.at']!.StringValue!)).toBeLessThan(60_000);
    expect(attributes['failure.source']!.StringValue).toBe('arn:aws:sqs:eu-west-1:123456789012:events');
    expect(attributes['failure.receiveCount']).toEqual({ DataType: 'Number', StringValue: '5' });
    expect(attributes['failure.originalMessageId']!.StringValue).toBe('m-1');
  });

  it('keeps the envelope attributes first when a record has more than fit beside the failure', async () => {
    const { sink, sent } = recordingSink();
    const messageAttributes = Object.fromEntries([
      ...['a', 'b', 'c', 'd', 'e'].map((name) => [name, attribute(name)]),
      ['message.type', attribute('LoanApproved')],
    ]);
    await sink.send(
      { ...sqsRecordFactory('{}'), messageAttributes },
      { kind: 'permanent', reason: 'r', receiveCount: 1 },
    );
    const names = Object.keys(sent[0]!.MessageAttributes!);
    expect(names).toHaveLength(10);
    expect(names.slice(0, 4)).toEqual(['message.type', 'a', 'b', 'c']);
  });

  it('keeps a FIFO record in its group, deduplicated by its message id; marks a record that had no body', async () => {
    const { sink, sent } = recordingSink();
    const base = sqsRecordFactory('{}');
    const fifo = {
      ...base,
      body: '',
      eventSourceARN: '',
      messageAttributes: undefined,
      attributes: { ...base.attributes, MessageGroupId: 'customer-7' },
    } as unknown as SQSRecord;
    await sink.send(fifo, { kind: 'permanent', reason: 'r', receiveCount: 1 });
    expect(sent[0]).toMatchObject({
      MessageBody: '(the record had no body)',
      MessageGroupId: 'customer-7',
      MessageDeduplicationId: base.messageId,
    });
    expect(sent[0]!.MessageAttributes!['failure.source']!.StringValue).toBe('unknown');
  });
});

describe('dead-letter notices', () => {
  /** An SQS client that answers SendMessage with an id, and fails the sends to `failing`. */
  function noticingSink(failing?: string) {
    const sent: SendMessageCommand['input'][] = [];
    const failures: unknown[] = [];
    const sqs = {
      send: async (command: SendMessageCommand) => {
        if (command.input.QueueUrl === failing) throw new Error('notices queue unreachable');
        sent.push(command.input);
        return { MessageId: `dlq-id-${sent.length}` };
      },
    };
    const sink = createDeadLetterQueueSink(
      sqs as unknown as SQSClient,
      async () => 'https://sqs/000000000000/marketing-events-local-events-dlq',
      { notices: async () => 'https://sqs/000000000000/notices', onNoticeFailed: (e) => failures.push(e) },
    );
    return { sink, sent, failures };
  }
  const record: SQSRecord = {
    ...sqsRecordFactory('{"id":"e-1","type":"LoanApproved"}'),
    messageId: 'm-1',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:marketing-events-local-events',
    messageAttributes: {
      'message.type': attribute('LoanApproved'),
      'message.version': attribute('1', 'Number'),
      'failure.reason': attribute('an older failure'),
    },
  };

  it('tells the console of each dead letter after it is in the DLQ: its id there, the failure, the message', async () => {
    const { sink, sent } = noticingSink();
    await sink.send(record, {
      kind: 'permanent',
      reason: 'meta answered 400: bad phone; ga4 answered 500: down',
      receiveCount: 1,
      destinations: [
        { destination: 'meta', code: '400', message: 'meta answered 400: bad phone' },
        { destination: 'ga4', code: '500', message: 'ga4 answered 500: down' },
      ],
    });
    // The dead letter names the destinations in an attribute, for a sweep that never sees the notice.
    expect(sent[0]!.MessageAttributes!['failure.destinations']).toEqual({
      DataType: 'String',
      StringValue: 'meta,ga4',
    });
    expect(sent.map((s) => s.QueueUrl)).toEqual([
      'https://sqs/000000000000/marketing-events-local-events-dlq',
      'https://sqs/000000000000/notices',
    ]);
    const notice = deadLetterRecordedV1.parse(JSON.parse(sent[1]!.MessageBody!) as never);
    expect(notice.id).toBe('dead-letter:dlq-id-1');
    expect(notice.data).toEqual({
      dlq: 'marketing-events-local-events-dlq',
      dlqMessageId: 'dlq-id-1',
      source: 'arn:aws:sqs:eu-west-1:123456789012:marketing-events-local-events',
      failure: {
        kind: 'permanent',
        reason: 'meta answered 400: bad phone; ga4 answered 500: down',
        destinations: [
          { destination: 'meta', code: '400', message: 'meta answered 400: bad phone' },
          { destination: 'ga4', code: '500', message: 'ga4 answered 500: down' },
        ],
        at: sent[0]!.MessageAttributes!['failure.at']!.StringValue,
        receiveCount: 1,
        originalMessageId: 'm-1',
      },
      messageType: 'LoanApproved',
      messageVersion: 1,
      body: '{"id":"e-1","type":"LoanApproved"}',
      attributes: { 'message.type': 'LoanApproved', 'message.version': '1' },
    });
  });

  it('never fails the record when the notice cannot be sent: the dead letter is in the DLQ, the sweeper indexes it', async () => {
    const { sink, sent, failures } = noticingSink('https://sqs/000000000000/notices');
    await sink.send(record, { kind: 'permanent', reason: 'x', receiveCount: 1 });
    expect(sent).toHaveLength(1);
    expect(failures).toEqual([new Error('notices queue unreachable')]);
  });

  it('leaves a body too large for a notice out of it', async () => {
    const { sink, sent } = noticingSink();
    await sink.send({ ...record, body: 'x'.repeat(200_001) }, { kind: 'permanent', reason: 'x', receiveCount: 1 });
    expect((JSON.parse(sent[1]!.MessageBody!) as { data: { body?: string } }).data.body).toBeUndefined();
  });
});
