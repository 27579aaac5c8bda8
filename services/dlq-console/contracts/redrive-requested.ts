import { defineContract, personal } from '@backbone/shared';
import { z } from 'zod';

/**
 * A redrive a person asked for through the console's web API, for its worker to run (a redrive can outlast an HTTP
 * request). Version 1 carried the request itself, the person's name and roles among it: the worker trusted them, so a
 * job fixed and resent from the jobs DLQ could claim any rights. Version 2 carries only which redrive to run; the
 * worker reads what was asked, by whom and with which roles from the record the API wrote when the person asked.
 */
export const redriveRequestedV1 = defineContract({
  type: 'RedriveRequested',
  version: 1,
  schema: z.object({
    redriveId: z.uuid(),
    dlq: z.string().min(1).max(80),
    /** The filter as the command line and the API name its fields (group, reason, type, older-than, ...). */
    filter: z.record(z.string(), z.union([z.string(), z.boolean()])),
    /** The plan summary the person confirmed. */
    confirm: z.string().min(1),
    /** Who asked (their name is personal). Not trusted: the worker reads the record the API wrote. */
    actor: z.object({ name: personal(z.string().min(1)), roles: z.array(z.string()) }),
    options: z.object({
      canary: z.number().int().min(1).max(1_000),
      canaryWatchSeconds: z.number().min(0).max(600),
      messagesPerSecond: z.number().positive().max(10_000),
    }),
  }),
});

export const redriveRequestedV2 = defineContract({
  type: 'RedriveRequested',
  version: 2,
  schema: z.object({
    /** The redrive's record, written by the API when the person asked (what, by whom, with which roles). */
    redriveId: z.uuid(),
    /** The DLQ, for logs and the jobs DLQ's grouping; the record's is what counts. */
    dlq: z.string().min(1).max(80),
  }),
});

/** A job as the worker reads it: only which redrive (a version 1 job's other fields are ignored). */
export type RedriveRequested = z.output<typeof redriveRequestedV2.schema>;

/** What the person asked, as the API records it with the redrive (options as the API takes them). */
export interface RedriveRequest {
  filter: Record<string, string | boolean>;
  confirm: string;
  options: z.output<typeof redriveRequestedV1.schema>['options'];
}
