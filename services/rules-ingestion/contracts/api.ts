/** rules-ingestion's HTTP API: publishing the active snoop definitions, and validating them (or one more). */
import { z } from 'zod';
import { IMPACT_PREVIEW_MAX_CUSTOMERS, impactReportSchema } from '@backbone/snoop-scheduler/contracts';

export const RULES_PATHS = { publish: '/rule-sets', validate: '/rule-sets/validation' } as const;

// The definition itself is checked by the domain, which reports every problem inside it; here only its place.
export const validationRequestSchema = z.object(
  {
    definition: z
      .record(z.string(), z.unknown(), 'must be a snoop definition object (the stored JSON form)')
      .optional(),
  },
  'the body must be a JSON object',
);

const problemsSchema = z.object({
  message: z.string(),
  errors: z.array(z.object({ snoopId: z.string().optional(), message: z.string() })),
});

export const publishedAnswerSchema = z.object({
  status: z.literal('published'),
  ruleSetVersion: z.string(),
  location: z.object({ bucket: z.string(), key: z.string() }),
  checksumSha256: z.string(),
  ruleCount: z.number().int(),
  publishedAt: z.string(),
  publishedBy: z.string(),
});
export const unchangedAnswerSchema = z.object({
  status: z.literal('unchanged'),
  ruleSetVersion: z.string(),
  ruleCount: z.number().int(),
});
export const invalidAnswerSchema = problemsSchema.extend({ status: z.literal('invalid') });
export const validAnswerSchema = z.object({
  valid: z.literal(true),
  checked: z.string(),
  ruleCount: z.number().int(),
  ruleSetVersion: z.string(),
});
export const notValidAnswerSchema = problemsSchema.extend({ valid: z.literal(false) });

// ---- the snoop definitions (staff, signed in with the company's user pool) ----

export const DEFINITIONS_PATHS = {
  snoops: '/snoops',
  snoop: '/snoops/{id}',
  history: '/snoops/{id}/history',
  retirement: '/snoops/{id}/retirement',
  submission: '/snoops/{id}/reviews',
  reviews: '/reviews',
  review: '/reviews/{reviewId}',
  decision: '/reviews/{reviewId}/decision',
  publications: '/publications',
  restoration: '/publications/{version}/restoration',
  comparison: '/publications/{version}/comparison/{other}',
  impactPreviews: '/impact-previews',
  impactPreview: '/impact-previews/{previewId}',
} as const;

/**
 * A snoop as a person edits it: its fields, with the condition and the score either in the stored form (the
 * condition builder's) or as CEL text (`when`, and `score` as a string: the text view's). The domain checks the
 * definition itself and names every problem in it; here only the body's shape.
 */
export const snoopInputSchema = z
  .object({
    id: z.string().optional(),
    name: z.string().optional(),
    status: z.enum(['draft', 'active', 'retired']).optional(),
    audience: z.string().optional(),
    contentRef: z.string().optional(),
    validFrom: z.string().optional(),
    validTo: z.string().optional(),
    condition: z.record(z.string(), z.unknown(), 'the condition in its stored form (an object)').optional(),
    when: z.string('the condition as CEL text').optional(),
    score: z
      .union([z.record(z.string(), z.unknown()), z.string()], 'the score: its stored form, or CEL text')
      .optional(),
  })
  .strict();

export const snoopChangeRequestSchema = z
  .object({
    expectedVersion: z.number().int().positive('the version you changed (as you read it)'),
    changes: snoopInputSchema,
  })
  .strict();

export const snoopRetirementRequestSchema = z
  .object({ expectedVersion: z.number().int().positive('the version you retire (as you read it)') })
  .strict();

const fieldChangeSchema = z.object({ field: z.string(), from: z.unknown().optional(), to: z.unknown().optional() });

export const snoopSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  version: z.number().int(),
  savedBy: z.string(),
  savedAt: z.string(),
});

export const snoopAnswerSchema = z.object({
  snoop: z.record(z.string(), z.unknown()),
  savedBy: z.string(),
  savedAt: z.string(),
  text: z.object({ when: z.string(), score: z.string() }),
});

export const snoopHistorySchema = z.array(
  z.object({
    version: z.number().int(),
    savedBy: z.string(),
    savedAt: z.string(),
    changes: z.array(fieldChangeSchema),
  }),
);

export const staleVersionAnswerSchema = z.object({
  message: z.string(),
  currentVersion: z.number().int(),
  savedBy: z.string(),
  savedAt: z.string(),
  changesSince: z.array(fieldChangeSchema),
});

export const problemAnswerSchema = z.object({ message: z.string(), problems: z.array(z.string()).optional() });

// ---- review and publish (maker-checker) ----

export const reviewSubmissionSchema = z
  .object({
    expectedVersion: z.number().int().positive('the version you submit (as you read it)'),
    note: z.string().max(2_000).optional(),
    /** The impact preview the writer looked at: shown to the reviewer beside the change. */
    impactPreviewId: z.uuid().optional(),
  })
  .strict();

export const reviewDecisionSchema = z
  .object({
    decision: z.enum(['approve', 'send-back'], 'approve, or send-back with a comment'),
    comment: z.string().max(2_000).default(''),
    /** Approve now (absent) or from this time on: the change waits, unpublished, until then. */
    publishAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export const reviewAnswerSchema = z.object({
  reviewId: z.string(),
  snoopId: z.string(),
  version: z.number().int(),
  snoop: z.record(z.string(), z.unknown()),
  text: z.object({ when: z.string(), score: z.string() }),
  changes: z.array(fieldChangeSchema),
  submittedBy: z.string(),
  submittedAt: z.string(),
  note: z.string().optional(),
  impactPreviewId: z.string().optional(),
  state: z.enum(['pending', 'approved', 'scheduled', 'sent-back']),
  publishAt: z.string().optional(),
  decidedBy: z.string().optional(),
  decidedAt: z.string().optional(),
  comment: z.string().optional(),
});

export const publicationSchema = z.object({
  ruleSetVersion: z.string(),
  ruleCount: z.number().int(),
  publishedBy: z.string(),
  publishedAt: z.string(),
  restorable: z.boolean(),
});

export const restorationAnswerSchema = z.object({ ruleSetVersion: z.string(), queued: z.literal(true) });

export const publicationComparisonSchema = z.object({
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(z.object({ id: z.string(), changes: z.array(fieldChangeSchema) })),
  unchanged: z.number().int(),
});

// ---- impact previews ----

const ruleSetVersion = z.string().regex(/^[0-9a-f]{64}$/, 'a rule-set version: 64 hex characters');
const previewCustomers = z
  .number()
  .int()
  .positive()
  .max(IMPACT_PREVIEW_MAX_CUSTOMERS)
  .nullable()
  .optional()
  .describe('how many customers to count (the first, in id order); null: every eligible one; default 10,000');

/** A change (these snoops' latest saved versions in place of what is served) or two publications compared. */
export const impactPreviewAskSchema = z.union([
  z
    .object({
      snoopIds: z
        .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a snoop id'))
        .min(1)
        .max(500),
      customers: previewCustomers,
    })
    .strict(),
  z.object({ from: ruleSetVersion, to: ruleSetVersion, customers: previewCustomers }).strict(),
]);

export const impactPreviewAnswerSchema = z.object({
  previewId: z.string(),
  requestedBy: z.string(),
  requestedAt: z.string(),
  snoopIds: z.array(z.string()),
  customers: z.number().int().nullable(),
  before: z.string(),
  after: z.string(),
  on: z.string(),
  state: z.enum(['pending', 'computed', 'failed']),
  report: impactReportSchema.optional(),
  reason: z.string().optional(),
  computedAt: z.string().optional(),
});
