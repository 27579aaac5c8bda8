/**
 * The dead-letter console's public contracts. The notice every consumer sends it (`DeadLetterRecorded`) is part of
 * the platform's SQS consumer and lives in `@backbone/shared`; what is the console's own is here.
 */
import { deadLetterRecordedV1, type HttpOperation, type PublishedContracts } from '@backbone/shared';
import { filterRequestSchema, fixRequestSchema, purgeRequestSchema, redriveRequestSchema } from './api';
import { auditEntryRecordedV1 } from './audit-entry-recorded';
import { redriveRequestedV1, redriveRequestedV2 } from './redrive-requested';

export * from './api';
export * from './audit-entry-recorded';
export * from './redrive-requested';

const FILTER_QUERY = {
  group: "a group's id (from the groups)",
  reason: 'text the reason contains',
  type: 'the message type',
  destination: 'a platform it failed at',
  kind: 'permanent, retries-exhausted, outcome-unknown or unexplained',
  'older-than': 'an age: 30m, 2h, 7d',
  ids: 'message ids, comma separated',
  search: 'text the body contains',
};

const refusals = {
  401: { description: 'No valid ID token from the user pool.' },
  403: { description: 'The caller lacks the role: the answer names it.' },
  404: { description: 'No such DLQ.' },
};

const operations: HttpOperation[] = [
  {
    method: 'get',
    path: '/api/queues',
    summary: "The stage's DLQs: depth, oldest, trend.",
    security: 'cognito',
    responses: { 200: { description: 'The DLQs.' }, 401: refusals[401], 403: refusals[403] },
  },
  {
    method: 'get',
    path: '/api/queues/{dlq}/groups',
    summary: "A DLQ's dead letters grouped by cause, destination and type.",
    security: 'cognito',
    query: FILTER_QUERY,
    responses: { 200: { description: 'The groups, largest first.' }, ...refusals },
  },
  {
    method: 'get',
    path: '/api/queues/{dlq}/messages',
    summary: 'Dead letters, masked unless unmasked with a reason.',
    security: 'cognito',
    query: {
      ...FILTER_QUERY,
      limit: 'at most this many (100; 500 at most)',
      after:
        'the next page: the letters after this position, `<failedAt>#<messageId>` of the last letter of the page before',
      unmask: 'why personal data must be seen (dlq:unmask; audited)',
    },
    responses: { 200: { description: 'The dead letters, newest first, a page of them.' }, ...refusals },
  },
  {
    method: 'post',
    path: '/api/queues/{dlq}/plan',
    summary: 'What a redrive of the filter would move, and the sentence to confirm.',
    security: 'cognito',
    request: filterRequestSchema,
    responses: { 200: { description: 'The plan.' }, ...refusals },
  },
  {
    method: 'post',
    path: '/api/queues/{dlq}/dry-run',
    summary: 'What the consumer would do with each planned message now; nothing is sent.',
    security: 'cognito',
    request: filterRequestSchema,
    responses: { 200: { description: 'Would pass, would fail and why, delivered already.' }, ...refusals },
  },
  {
    method: 'post',
    path: '/api/queues/{dlq}/redrives',
    summary: 'Start a redrive of what was confirmed (run by the worker).',
    security: 'cognito',
    request: redriveRequestSchema,
    responses: {
      202: { description: 'Queued: its id, to follow.' },
      409: { description: 'The plan changed since it was confirmed, or a redrive runs.' },
      ...refusals,
    },
  },
  {
    method: 'get',
    path: '/api/redrives/{id}',
    summary: "A redrive's progress and outcome.",
    security: 'cognito',
    responses: { 200: { description: 'Its record.' }, 404: { description: 'No such redrive.' } },
  },
  {
    method: 'get',
    path: '/api/redrives',
    summary: 'The redrives asked for this week, newest first: who, what, how far, how it ended.',
    security: 'cognito',
    query: { limit: 'at most this many (50; 200 at most)' },
    responses: { 200: { description: 'Their records.' }, 401: refusals[401], 403: refusals[403] },
  },
  {
    method: 'post',
    path: '/api/redrives/{id}/cancel',
    summary:
      'Cancel a redrive: a queued one never runs; a running one stops within seconds, what it sent staying sent and the rest in the DLQ (dlq:redrive; audited).',
    security: 'cognito',
    responses: {
      202: { description: 'Its record as it was; follow it until it says stopped.' },
      401: refusals[401],
      403: refusals[403],
      404: { description: 'No such redrive.' },
    },
  },
  {
    method: 'post',
    path: '/api/queues/{dlq}/messages/{id}/fix',
    summary: "Edit a message's data, checked against its contract, and send it again.",
    security: 'cognito',
    request: fixRequestSchema,
    responses: {
      200: { description: 'Sent, and the fields changed.' },
      400: { description: 'The contract refuses the edit: it says why.' },
      ...refusals,
    },
  },
  {
    method: 'get',
    path: '/api/queues/{dlq}/export',
    summary: "The filter's dead letters as CSV or JSON lines, masked.",
    security: 'cognito',
    query: { ...FILTER_QUERY, format: 'csv or jsonl', unmask: 'why (dlq:unmask; audited)' },
    responses: { 200: { description: 'The file.' }, ...refusals },
  },
  {
    method: 'post',
    path: '/api/queues/{dlq}/purge',
    summary: 'Delete what was confirmed, for good.',
    security: 'cognito',
    request: purgeRequestSchema,
    responses: {
      200: { description: 'Deleted, and how many were gone already.' },
      409: { description: 'The plan changed since it was confirmed.' },
      ...refusals,
    },
  },
  {
    method: 'get',
    path: '/api/audit',
    summary: 'Who did what, when, to which DLQ.',
    security: 'cognito',
    query: { days: 'the last this many days (7)', limit: 'at most this many (100)' },
    responses: { 200: { description: 'The entries, newest first.' }, 401: refusals[401], 403: refusals[403] },
  },
];

export const PUBLISHED: PublishedContracts = {
  service: 'dlq-console',
  summary: 'The dead-letter console: every DLQ inspected, grouped, fixed and redriven, audited.',
  queues: [
    {
      name: 'dead-letter-notices',
      owner: 'dlq-console',
      action: 'receive',
      summary: 'What every consumer dead-lettered, told right after (the platform SQS consumer sends these).',
      messages: [deadLetterRecordedV1],
    },
    {
      name: 'redrive-jobs',
      owner: 'dlq-console',
      action: 'receive',
      summary: 'Redrives people asked for through the API, for the worker to run.',
      messages: [redriveRequestedV1, redriveRequestedV2],
    },
    {
      name: 'audit-entries',
      owner: 'dlq-console',
      action: 'receive',
      summary:
        "The audit trail's entries from every face of the console, for the one function that may write the trail.",
      messages: [auditEntryRecordedV1],
    },
  ],
  http: {
    title: 'dead-letter console',
    summary: "The console's API (a Cognito user pool authoriser on every route; the groups are the roles).",
    operations,
  },
};
