import type { SQSClient } from '@aws-sdk/client-sqs';
import { assertAllSent, createPublisher, type ContractEnvelope } from '@backbone/shared';
import { ruleSetPublishedV1 } from '@backbone/snoop-scheduler/contracts';
import type { Announcer } from '../domain/rule-set';

export function createSqsAnnouncer(sqs: SQSClient, queueUrl: () => Promise<string>): Announcer {
  const publisher = createPublisher<ContractEnvelope<typeof ruleSetPublishedV1>>(sqs, queueUrl);
  return {
    async announce(published) {
      // The id derives from the version: announcing the same rule set again is the same message.
      const envelope = ruleSetPublishedV1.create(published, { id: `rule-set-${published.ruleSetVersion}` });
      assertAllSent(await publisher.publish([envelope]));
    },
  };
}
