/** rules-ingestion's HTTP API: publishing the active snoop definitions, and validating them (or one more). */
import { z } from 'zod';

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
