import { defineContract, personal } from '@backbone/shared';
import { z } from 'zod';

/**
 * A redrive a person asked for through the console's web API, for its worker to run (a redrive can outlast an HTTP
 * request). The worker plans again and runs only if the plan is still what the person confirmed.
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
    /** Who asked (their name is personal). */
    actor: z.object({ name: personal(z.string().min(1)), roles: z.array(z.string()) }),
    options: z.object({
      canary: z.number().int().min(1).max(1_000),
      canaryWatchSeconds: z.number().min(0).max(600),
      messagesPerSecond: z.number().positive().max(10_000),
    }),
  }),
});

export type RedriveRequested = z.output<typeof redriveRequestedV1.schema>;
