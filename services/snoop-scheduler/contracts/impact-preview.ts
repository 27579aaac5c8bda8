import { z } from 'zod';
import { defineContract, personal } from '@backbone/shared';

const snoopId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a snoop id: a lowercase slug such as "energy-switch"');
/** A rules file in the rules language, as rules-ingestion builds it (the seed catalogue's is about 21 KB). */
const rulesFile = z
  .string()
  .min(1)
  .max(100_000, 'at most 100,000 characters: preview fewer snoops, or ask for the rules file by its version');
const ruleSetSide = z.object({
  /** How the report names this side: a rule-set version (content hash), or "draft". */
  label: z.string().min(1).max(64),
  rulesFile,
});

/** The most customers a preview may count: the whole store of a lender this size, in one Lambda's pages. */
export const IMPACT_PREVIEW_MAX_CUSTOMERS = 200_000;

/**
 * rules-ingestion -> snoop-scheduler's impact-previews queue: what publishing `after` in place of `before` would
 * change, counted over the customer store (its eligible customers, or the first `customers` of them) on day `on`. The
 * worker runs both rule files over the same customers and writes nothing but its answer (ImpactPreviewComputed).
 */
export const impactPreviewRequestedV1 = defineContract({
  type: 'ImpactPreviewRequested',
  version: 1,
  schema: z.object({
    previewId: z.uuid(),
    /** What is served now (or the earlier version compared); null when nothing was published yet. */
    before: ruleSetSide.nullable(),
    after: ruleSetSide,
    /** The snoops the report is about: those the change touches. */
    snoopIds: z.array(snoopId).min(1).max(500),
    /** How many customers to count (the first, in id order); null: every eligible customer. */
    customers: z.number().int().positive().max(IMPACT_PREVIEW_MAX_CUSTOMERS).nullable(),
    on: z.iso.date(),
    /** Customers shown per snoop as gained and as lost, with the reason in words. */
    samplesPerKind: z.number().int().min(0).max(5).default(3),
  }),
});

export type ImpactPreviewRequested = z.infer<typeof impactPreviewRequestedV1.schema>;

const bands = z.array(z.number().int().nonnegative()).length(10);
/** A sample customer: their id and what each side says of them (amounts of their own: personal). */
const impactSample = z.object({
  customerId: personal(z.string().min(1).max(128)),
  before: personal(z.string().max(2_000)),
  after: personal(z.string().max(2_000)),
});

export const impactReportSchema = z.object({
  customers: z.number().int().nonnegative(),
  snoops: z.array(
    z.object({
      id: snoopId,
      firedBefore: z.number().int().nonnegative(),
      firedAfter: z.number().int().nonnegative(),
      gained: z.number().int().nonnegative(),
      lost: z.number().int().nonnegative(),
      rescored: z.number().int().nonnegative(),
      scoreBandsBefore: bands,
      scoreBandsAfter: bands,
      samples: z.object({ gained: z.array(impactSample), lost: z.array(impactSample) }),
    }),
  ),
});

/**
 * snoop-scheduler -> rules-ingestion's impact-previews queue: the answer to an ImpactPreviewRequested, counted or
 * failed with the reason (a rules file that does not compile, the customer store unreachable after its retries).
 */
export const impactPreviewComputedV1 = defineContract({
  type: 'ImpactPreviewComputed',
  version: 1,
  schema: z.object({
    previewId: z.uuid(),
    outcome: z.discriminatedUnion('status', [
      z.object({ status: z.literal('computed'), report: impactReportSchema, on: z.iso.date(), tookMs: z.number() }),
      z.object({ status: z.literal('failed'), reason: z.string().min(1).max(2_000) }),
    ]),
    computedAt: z.iso.datetime({ offset: true }),
  }),
});

export type ImpactPreviewComputed = z.infer<typeof impactPreviewComputedV1.schema>;
