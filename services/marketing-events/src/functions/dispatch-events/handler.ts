import {
  ATTRIBUTE,
  buildOncePerContainer,
  createContractReader,
  createMetrics,
  createSqsBatchConsumer,
  deadlineKeeping,
  OutcomeUnknownError,
  PermanentError,
  RetryableError,
  type SqsBatchHandler,
} from '@backbone/shared';
import { MARKETING_EVENT_CONTRACTS } from '../../../contracts';
import type { SQSRecord } from 'aws-lambda';

import { metricsObserver } from '../../adapters/metrics-observer';

import { destinationStatusObserver } from '../../adapters/status-observer';

import { dispatchEvents, type DispatchObserver } from '../../domain/dispatch';
import { DEFAULT_ROUTING } from '../../domain/platforms';
import { SERVICE } from '../../composition-root';

import { wireDispatchEvents, type DispatchEventsDeps } from './wiring';

// Requests start until this long before Lambda's timeout: one request's deadline (5 s), then the ledger
// write and the DLQ/visibility calls (well under a second), with margin.
const RESERVED_FOR_RECORDING_MS = 8_000;
// Of that, the last second settles the failures (DLQ, visibility); until then a failed ledger write is retried.
const RESERVED_FOR_SETTLING_MS = 1_000;

/** SQS -> every marketing platform each event is routed to, with partial batch responses. */
export function createDispatchHandler(parts: DispatchEventsDeps): SqsBatchHandler {
  // The delivery figures have an instance of their own: each of their lines is published apart from the
  // batch's counts (RecordsProcessed, ...), which the consumer publishes with the service dimension only.
  const figures = parts.metrics ? metricsObserver(createMetrics(SERVICE)) : undefined;
  const status = parts.statusBoard ? destinationStatusObserver(parts.statusBoard) : undefined;
  const observer: DispatchObserver = {
    onResult: (...result) => figures?.onResult(...result),
    onMatchKeys: (...keys) => figures?.onMatchKeys?.(...keys),
    onUnrecorded: (...unrecorded) => figures?.onUnrecorded?.(...unrecorded),
    onAnswered: (...answered) => status?.onAnswered(...answered),
  };
  const deps = {
    destinations: parts.destinations,
    routing: parts.routing ?? DEFAULT_ROUTING,
    ledger: parts.ledger,
    now: parts.now ?? (() => new Date()),
    observer,
  };
  return createSqsBatchConsumer({
    reader: createContractReader(MARKETING_EVENT_CONTRACTS),
    maxReceiveCount: parts.maxReceiveCount,
    deadLetters: parts.deadLetters,
    backoff: parts.backoff,
    logger: parts.logger,
    metrics: parts.metrics,
    async handleBatch(items, context) {
      try {
        // Leave time to record what was delivered and to settle the failures before Lambda stops us.
        const now = Date.now();
        const outcomes = await dispatchEvents(
          items.map((i) => i.envelope),
          {
            ...deps,
            sendUntil: deadlineKeeping(context, RESERVED_FOR_RECORDING_MS, now),
            recordUntil: deadlineKeeping(context, RESERVED_FOR_SETTLING_MS, now),
          },
          { resend: resendRequests(items) },
        );
        return outcomes.map((outcome) => {
          if (outcome.status === 'delivered') return undefined;
          const failed = { destinations: outcome.failures };
          if (outcome.status === 'retryable') return new RetryableError(outcome.reason, failed);
          return outcome.status === 'unknown'
            ? new OutcomeUnknownError(outcome.reason, failed)
            : new PermanentError(outcome.reason, failed);
        });
      } finally {
        figures?.flush();
        // The board only informs the console's dry runs: a write that fails costs no delivery.
        await status
          ?.flush()
          .catch((error: unknown) =>
            parts.logger.warn("the platforms' status could not be noted", { error: String(error) }),
          );
      }
    },
  });
}

/** What a redrive asked to resend, per event id (the `redrive.resend` attribute: platform names, comma separated). */
function resendRequests(
  items: readonly { envelope: { id: string }; record: SQSRecord }[],
): Map<string, ReadonlySet<string>> | undefined {
  let requests: Map<string, ReadonlySet<string>> | undefined;
  for (const { envelope, record } of items) {
    const value = record.messageAttributes?.[ATTRIBUTE.resend]?.stringValue;
    if (value)
      (requests ??= new Map()).set(
        envelope.id,
        new Set(
          value
            .split(',')
            .map((name) => name.trim())
            .filter(Boolean),
        ),
      );
  }
  return requests;
}

// Secrets are read once per container, on the first batch; a failed start is retried on the next batch.
export const handler = buildOncePerContainer(async () => createDispatchHandler(await wireDispatchEvents()));

export type { DispatchEventsDeps } from './wiring';
