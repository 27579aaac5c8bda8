import type { SqsBatchHandler } from '@backbone/shared';
import { createDispatcher } from '../composition-root';

// Secrets are read once per container, on the first batch.
let dispatcher: Promise<SqsBatchHandler> | undefined;

/** SQS -> every marketing platform each event is routed to, with partial batch responses. */
export const handler: SqsBatchHandler = async (event, context) => {
  dispatcher ??= createDispatcher();
  try {
    return await (
      await dispatcher
    )(event, context);
  } catch (error) {
    // A failed start (a missing setting, SSM unreachable) is retried on the next batch, not cached.
    dispatcher = undefined;
    throw error;
  }
};
