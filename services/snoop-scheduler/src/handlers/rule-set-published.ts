import { createRuleSetPublishedHandler } from '../composition-root';

/** SQS -> records each published rule set and activates the newest. */
export const handler = createRuleSetPublishedHandler();
