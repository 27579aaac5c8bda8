import { z } from 'zod';
import { defineContract, personal } from '@backbone/shared';

/**
 * rules-ingestion -> snoop-scheduler: a validated rule set was written to S3.
 * The version is the content hash, so the same content always has the same version.
 */
export const ruleSetPublishedV1 = defineContract({
  type: 'RuleSetPublished',
  version: 1,
  schema: z.object({
    ruleSetVersion: z.string().regex(/^[0-9a-f]{16,64}$/, 'must be a lowercase hex content hash'),
    location: z.object({
      bucket: z.string().min(3).max(63),
      key: z.string().min(1).max(1024),
    }),
    checksumSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest'),
    ruleCount: z.number().int().nonnegative(),
    publishedAt: z.iso.datetime({ offset: true }),
    /** Who published it (a person's user name): personal. */
    publishedBy: personal(z.string().min(1).max(128)),
  }),
});

export type RuleSetPublished = z.infer<typeof ruleSetPublishedV1.schema>;
