import type { PublishedContracts } from '@backbone/shared';
import {
  ENGINE_PATHS,
  engineErrorSchema,
  evaluateRequestSchema,
  evaluateResponseSchema,
  refreshRequestSchema,
} from './engine';
import { impactPreviewComputedV1, impactPreviewRequestedV1 } from './impact-preview';
import { ruleSetPublishedV1 } from './rule-set-published';
import { customerRulesV1, eligibleCustomerV1 } from './snoop-run';

export const PUBLISHED: PublishedContracts = {
  service: 'snoop-scheduler',
  summary: 'The nightly run: every eligible customer scored against every active snoop by the rules engine.',
  queues: [
    {
      name: 'rule-set-published',
      owner: 'snoop-scheduler',
      action: 'receive',
      summary: 'A validated rule set was written to S3 (from rules-ingestion): the newest becomes active.',
      messages: [ruleSetPublishedV1],
    },
    {
      name: 'impact-previews',
      owner: 'snoop-scheduler',
      action: 'receive',
      summary: "What a rules change would change over the customer store (from rules-ingestion's editor).",
      messages: [impactPreviewRequestedV1],
    },
    {
      name: 'impact-preview-answers',
      owner: 'rules-ingestion',
      action: 'send',
      summary: 'The counted impact, or why there is none, back to rules-ingestion.',
      messages: [impactPreviewComputedV1],
    },
    {
      name: 'eligible-customers',
      owner: 'snoop-scheduler',
      action: 'receive',
      summary: "The night's customers, one message each, from the customer step to the rule step.",
      messages: [eligibleCustomerV1],
    },
    {
      name: 'customer-rules.fifo',
      owner: 'snoop-scheduler',
      action: 'receive',
      summary: 'A customer and their active snoops, grouped by customer, from the rule step to the invoke step.',
      messages: [customerRulesV1],
    },
  ],
  http: {
    title: 'rules engine',
    summary: 'The rules engine behind its load balancer, called by the invoke step.',
    operations: [
      {
        method: 'post',
        path: ENGINE_PATHS.evaluate,
        summary: 'Score customers against snoops and write one result per customer and rule for the run.',
        security: 'none',
        request: evaluateRequestSchema,
        responses: {
          200: { description: 'Scored: counts, and errors per item.', schema: evaluateResponseSchema },
          400: { description: 'A field is wrong (drop the request).', schema: engineErrorSchema },
          409: {
            description: 'The run fence refused the run: a newer run is current (drop it).',
            schema: engineErrorSchema,
          },
          413: { description: 'Too many customers or evaluations (split it).', schema: engineErrorSchema },
          503: { description: 'No rule set loaded yet, or a dependency failed (retry).', schema: engineErrorSchema },
        },
      },
      {
        method: 'get',
        path: ENGINE_PATHS.health,
        summary: "The load balancer's check: ready once a rule set is loaded.",
        security: 'none',
        responses: { 200: { description: 'ready, with the version serving' }, 503: { description: 'loading' } },
      },
      {
        method: 'get',
        path: ENGINE_PATHS.rulesVersion,
        summary: 'The version serving, and the last failed load.',
        security: 'none',
        responses: { 200: { description: 'The version serving.' } },
      },
      {
        method: 'post',
        path: ENGINE_PATHS.refresh,
        summary: 'Load the active version, or the one named (a rollback).',
        security: 'bearer-secret',
        request: refreshRequestSchema,
        responses: {
          200: { description: 'Loaded and serving.' },
          401: { description: 'Without the refresh secret.', schema: engineErrorSchema },
          422: { description: 'The version could not be loaded; the last good one serves on.' },
        },
      },
    ],
  },
};
