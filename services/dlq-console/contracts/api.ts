/** The dead-letter console's HTTP API: the request bodies its routes take (the page, the CLI's peers, scripts). */
import { z } from 'zod';

/** Which dead letters: the command line's filter options by name (group, reason, type, destination, older-than, ...). */
export const filterRequestSchema = z.object({
  filter: z.record(z.string(), z.union([z.string(), z.boolean()])).default({}),
});
export const purgeRequestSchema = filterRequestSchema.extend({
  confirm: z.string().min(1, 'say what you confirm: the plan summary the console showed'),
});
export const redriveRequestSchema = purgeRequestSchema.extend({
  canary: z.number().int().min(1).max(1_000).default(5),
  /** Absent: long enough for a canary failing again to come back through its source's retries. */
  watchSeconds: z.number().min(0).max(600).optional(),
  messagesPerSecond: z.number().positive().max(10_000).default(500),
});
export const fixRequestSchema = z.object({
  edits: z.array(z.object({ path: z.string().min(1), value: z.unknown() })).min(1, 'name at least one field'),
});
