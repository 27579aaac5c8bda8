/**
 * rules-ingestion's public contracts: its HTTP API. The announcement it sends (RuleSetPublished) is snoop-scheduler's
 * contract: the queue is snoop-scheduler's.
 */
import type { PublishedContracts } from '@backbone/shared';
import { z } from 'zod';
import {
  impactPreviewComputedV1,
  impactPreviewRequestedV1,
  ruleSetPublishedV1,
} from '@backbone/snoop-scheduler/contracts';
import {
  DEFINITIONS_PATHS,
  impactPreviewAnswerSchema,
  impactPreviewAskSchema,
  problemAnswerSchema,
  snoopAnswerSchema,
  snoopChangeRequestSchema,
  publicationComparisonSchema,
  publicationSchema,
  restorationAnswerSchema,
  reviewAnswerSchema,
  reviewDecisionSchema,
  reviewSubmissionSchema,
  snoopHistorySchema,
  snoopInputSchema,
  snoopRetirementRequestSchema,
  snoopSummarySchema,
  staleVersionAnswerSchema,
  invalidAnswerSchema,
  notValidAnswerSchema,
  publishedAnswerSchema,
  RULES_PATHS,
  unchangedAnswerSchema,
  validAnswerSchema,
  validationRequestSchema,
} from './api';

export * from './api';

const STAFF_REFUSALS = {
  401: { description: 'No valid ID token from the staff user pool.', schema: problemAnswerSchema },
  403: { description: 'The caller lacks the role: the answer names it.', schema: problemAnswerSchema },
};

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
    {
      name: 'impact-previews',
      owner: 'snoop-scheduler',
      action: 'send',
      summary: 'Asks snoop-scheduler to count what a change would change over the customer store.',
      messages: [impactPreviewRequestedV1],
    },
    {
      name: 'impact-preview-answers',
      owner: 'rules-ingestion',
      action: 'receive',
      summary: "snoop-scheduler's counted impact (or why there is none), kept for the editor and the review.",
      messages: [impactPreviewComputedV1],
    },
  ],
  http: {
    title: 'rules-ingestion',
    summary:
      'Publishing and validating rule sets (AWS_IAM: requests signed with SigV4); the snoop definitions (staff signed in ' +
      'with the company user pool; its rules: groups are the roles).',
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
      {
        method: 'get',
        path: DEFINITIONS_PATHS.snoops,
        summary: 'Every snoop: id, name, status, version, who saved it last and when (rules:read).',
        security: 'cognito',
        responses: { 200: { description: 'The snoops.', schema: z.array(snoopSummarySchema) }, ...STAFF_REFUSALS },
      },
      {
        method: 'post',
        path: DEFINITIONS_PATHS.snoops,
        summary: 'Create a snoop, always as a draft (rules:edit).',
        security: 'cognito',
        request: snoopInputSchema,
        responses: {
          201: { description: 'Created.', schema: snoopAnswerSchema },
          409: { description: 'A snoop with this id exists.', schema: problemAnswerSchema },
          422: { description: 'The definition cannot be saved: every problem.', schema: problemAnswerSchema },
          ...STAFF_REFUSALS,
        },
      },
      {
        method: 'get',
        path: DEFINITIONS_PATHS.snoop,
        summary: 'A snoop, with its condition and score as CEL too (rules:read).',
        security: 'cognito',
        responses: {
          200: { description: 'The snoop.', schema: snoopAnswerSchema },
          404: { description: 'No such snoop.', schema: problemAnswerSchema },
          ...STAFF_REFUSALS,
        },
      },
      {
        method: 'put',
        path: DEFINITIONS_PATHS.snoop,
        summary:
          'Change a snoop, made on the version you read (rules:edit; rules:approve to make it active). A change made ' +
          'on an older version is refused with what changed since.',
        security: 'cognito',
        request: snoopChangeRequestSchema,
        responses: {
          200: { description: 'Saved as the next version.', schema: snoopAnswerSchema },
          404: { description: 'No such snoop.', schema: problemAnswerSchema },
          409: {
            description: 'Made on an older version: who saved since, and what.',
            schema: staleVersionAnswerSchema,
          },
          422: { description: 'The definition cannot be saved: every problem.', schema: problemAnswerSchema },
          ...STAFF_REFUSALS,
        },
      },
      {
        method: 'post',
        path: DEFINITIONS_PATHS.retirement,
        summary: 'Retire a snoop, made on the version you read (rules:edit).',
        security: 'cognito',
        request: snoopRetirementRequestSchema,
        responses: {
          200: { description: 'Retired, as the next version.', schema: snoopAnswerSchema },
          409: { description: 'Made on an older version.', schema: staleVersionAnswerSchema },
          ...STAFF_REFUSALS,
        },
      },
      {
        method: 'post',
        path: DEFINITIONS_PATHS.submission,
        summary: 'Submit the version you read for review (rules:edit); approved by someone else, it is published.',
        security: 'cognito',
        request: reviewSubmissionSchema,
        responses: {
          201: { description: 'Submitted: pending review.', schema: reviewAnswerSchema },
          409: { description: 'Not the current version, or submitted already.', schema: problemAnswerSchema },
          ...STAFF_REFUSALS,
        },
      },
      {
        method: 'get',
        path: DEFINITIONS_PATHS.reviews,
        summary: 'Reviews, newest first; ?state=pending for those waiting (rules:read).',
        security: 'cognito',
        responses: { 200: { description: 'The reviews.', schema: z.array(reviewAnswerSchema) }, ...STAFF_REFUSALS },
      },
      {
        method: 'get',
        path: DEFINITIONS_PATHS.review,
        summary: 'A review: the definition submitted, what it changes against what is approved, the decision.',
        security: 'cognito',
        responses: {
          200: { description: 'The review.', schema: reviewAnswerSchema },
          404: { description: 'No such review.', schema: problemAnswerSchema },
          ...STAFF_REFUSALS,
        },
      },
      {
        method: 'post',
        path: DEFINITIONS_PATHS.decision,
        summary:
          'Approve (it is published by the outbox relay) or send back with a comment (rules:approve; never your own).',
        security: 'cognito',
        request: reviewDecisionSchema,
        responses: {
          200: { description: 'Decided.', schema: reviewAnswerSchema },
          409: { description: 'Decided already.', schema: problemAnswerSchema },
          422: { description: 'Approving it would make the rules file invalid.', schema: problemAnswerSchema },
          ...STAFF_REFUSALS,
        },
      },
      {
        method: 'post',
        path: DEFINITIONS_PATHS.impactPreviews,
        summary:
          'Count what a change (snoops\u2019 latest saved versions in place of what is served) or one publication in ' +
          'place of another would change over the customer store; answered later (rules:read).',
        security: 'cognito',
        request: impactPreviewAskSchema,
        responses: {
          202: {
            description: 'Asked: read it until its state is computed or failed.',
            schema: impactPreviewAnswerSchema,
          },
          404: { description: 'No such snoop, or a publication without its definitions.', schema: problemAnswerSchema },
          422: {
            description: 'The change would not make a valid rules file, or there is no difference.',
            schema: problemAnswerSchema,
          },
          ...STAFF_REFUSALS,
        },
      },
      {
        method: 'get',
        path: DEFINITIONS_PATHS.impactPreview,
        summary:
          'An impact preview: per snoop, customers gained and lost, scores moved, and sample customers in words (the ' +
          'samples to rules:edit and rules:approve only).',
        security: 'cognito',
        responses: {
          200: { description: 'The preview, pending or answered.', schema: impactPreviewAnswerSchema },
          404: { description: 'No such preview.', schema: problemAnswerSchema },
          ...STAFF_REFUSALS,
        },
      },
      {
        method: 'get',
        path: DEFINITIONS_PATHS.publications,
        summary: 'The rules files published, newest first, and whether each can be restored (rules:read).',
        security: 'cognito',
        responses: { 200: { description: 'The publications.', schema: z.array(publicationSchema) }, ...STAFF_REFUSALS },
      },
      {
        method: 'get',
        path: DEFINITIONS_PATHS.comparison,
        summary: 'Two publications snoop by snoop: added, removed, and what changed in each (rules:read).',
        security: 'cognito',
        responses: {
          200: { description: 'The comparison, from {version} to {other}.', schema: publicationComparisonSchema },
          404: { description: 'A publication without its definitions, or none such.', schema: problemAnswerSchema },
          ...STAFF_REFUSALS,
        },
      },
      {
        method: 'post',
        path: DEFINITIONS_PATHS.restoration,
        summary: 'Serve an earlier publication again, through the same path as an approval (rules:publish).',
        security: 'cognito',
        responses: {
          202: { description: 'Queued for the relay.', schema: restorationAnswerSchema },
          404: { description: 'No such publication.', schema: problemAnswerSchema },
          409: { description: 'Published before publications kept their definitions.', schema: problemAnswerSchema },
          ...STAFF_REFUSALS,
        },
      },
      {
        method: 'get',
        path: DEFINITIONS_PATHS.history,
        summary: 'Every version of a snoop: who saved it, when, and what changed (rules:read).',
        security: 'cognito',
        responses: {
          200: { description: 'Oldest first.', schema: snoopHistorySchema },
          404: { description: 'No such snoop.', schema: problemAnswerSchema },
          ...STAFF_REFUSALS,
        },
      },
    ],
  },
};
