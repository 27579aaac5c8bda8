/**
 * rules-ingestion's public contracts: its HTTP API. The announcement it sends (RuleSetPublished) is snoop-scheduler's
 * contract: the queue is snoop-scheduler's.
 */
import type { PublishedContracts } from '@backbone/shared';
import { ruleSetPublishedV1 } from '@backbone/snoop-scheduler/contracts';
import {
  invalidAnswerSchema,
  notValidAnswerSchema,
  publishedAnswerSchema,
  RULES_PATHS,
  unchangedAnswerSchema,
  validAnswerSchema,
  validationRequestSchema,
} from './api';

export * from './api';

export const PUBLISHED: PublishedContracts = {
  service: 'rules-ingestion',
  summary: 'Snoop definitions validated and published as a versioned rules file; every engine told to refresh.',
  queues: [
    {
      name: 'rule-set-published',
      owner: 'snoop-scheduler',
      action: 'send',
      summary: 'Announces each rule set published, for snoop-scheduler to activate.',
      messages: [ruleSetPublishedV1],
    },
  ],
  http: {
    title: 'rules-ingestion',
    summary: 'Publishing and validating rule sets (AWS_IAM: requests signed with SigV4).',
    operations: [
      {
        method: 'post',
        path: RULES_PATHS.publish,
        summary: 'Validate every active definition and publish them as one rules file.',
        security: 'aws-iam',
        responses: {
          201: { description: 'Published.', schema: publishedAnswerSchema },
          200: {
            description: 'Unchanged: this content is the version already published.',
            schema: unchangedAnswerSchema,
          },
          422: { description: 'Invalid: every problem, nothing written.', schema: invalidAnswerSchema },
        },
      },
      {
        method: 'post',
        path: RULES_PATHS.validate,
        summary: 'Check the active definitions, or one definition with the active set it would join; writes nothing.',
        security: 'aws-iam',
        request: validationRequestSchema,
        responses: {
          200: { description: 'Valid.', schema: validAnswerSchema },
          422: { description: 'Invalid: every problem.', schema: notValidAnswerSchema },
        },
      },
    ],
  },
};
