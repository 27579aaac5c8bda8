/**
 * marketing-events' public contracts: the events it accepts, the publisher backends use, identifier
 * canonicalisation, the platforms' acceptance rules and the delivery ledger's reader (the dead-letter console's).
 */
import type { PublishedContracts } from '@backbone/shared';
import { MARKETING_EVENT_CONTRACTS } from './events';

export * from './events';
export * from './publish';
export * from './identifiers';
export * from './delivery-ledger';
export * from './acceptance';

export const PUBLISHED: PublishedContracts = {
  service: 'marketing-events',
  summary: 'Post-install events delivered to Meta, GA4 and webhooks: retried, dead-lettered, never dropped.',
  queues: [
    {
      name: 'events',
      owner: 'marketing-events',
      action: 'receive',
      summary: 'Post-install events from the backends (publishMarketingEvents); the dispatcher delivers each.',
      messages: MARKETING_EVENT_CONTRACTS,
    },
  ],
};
