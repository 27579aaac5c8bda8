import type { SQSClient } from '@aws-sdk/client-sqs';
import { assertAllSent, createPublisher, type ContractEnvelope } from '@backbone/shared';
import { impactPreviewRequestedV1 } from '@backbone/snoop-scheduler/contracts';
import type { ImpactPreviewQueue } from '../domain/impact-previews';

/** snoop-scheduler's impact-previews queue (its contract): one message per preview, its id the preview's. */
export function createSqsImpactPreviewQueue(sqs: SQSClient, queueUrl: () => Promise<string>): ImpactPreviewQueue {
  const publisher = createPublisher<ContractEnvelope<typeof impactPreviewRequestedV1>>(sqs, queueUrl);
  return async (request) => {
    assertAllSent(
      await publisher.publish([impactPreviewRequestedV1.create(request, { id: `impact-${request.previewId}` })]),
    );
  };
}
