import type { SQSClient } from '@aws-sdk/client-sqs';
import { assertAllSent, createPublisher, ruleSetPublishedV1, type ContractEnvelope } from '@backbone/shared';
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
