/** device-ownership's HTTP API: the sign-up check, its request and its answer. */
import { z } from 'zod';
import { attestationSchema, customerIdSchema } from './events';

export const SIGN_UP_CHECK_PATH = '/devices/{deviceId}/signup-checks';

export const signUpCheckRequestSchema = z
  .object(
    {
      applicantId: customerIdSchema,
      attestation: attestationSchema.optional(),
      /** `legacy` (any device bound to another customer is blocked) only as a dry run: it looks at no fraud flag. */
      rules: z.enum(['current', 'legacy']).default('current'),
      dryRun: z.boolean().default(false),
    },
    'the body must be a JSON object',
  )
  .refine((body) => body.rules !== 'legacy' || body.dryRun, {
    path: ['rules'],
    message:
      'the legacy rule decides only as a dry run (a shadow comparison; it looks at no fraud flag): send "dryRun": true ' +
      'with it, or leave "rules" out to decide, and bind, by the current rules',
  });
export type SignUpCheckRequestBody = z.input<typeof signUpCheckRequestSchema>;

/** The decision: its outcome, the reasons (codes and sentences), the step-up that passes a review, the evidence. */
export const signUpCheckResponseSchema = z.object({
  deviceId: z.string(),
  outcome: z.enum(['allow', 'allow_transfer', 'review', 'block']),
  reasons: z.array(z.object({ code: z.string(), message: z.string() })),
  stepUp: z.enum(['owner_release', 'document_check']).optional(),
  rulesVersion: z.string(),
  evidence: z.object({
    owner: z.enum(['none', 'applicant', 'another customer']),
    ownerSince: z.string().optional(),
    ownerLastSeen: z.string().optional(),
    ownerOpenLoans: z.number().optional(),
    ownerInArrears: z.boolean().optional(),
    lastResetAt: z.string().optional(),
    accountsInWindow: z.number(),
    liveFlags: z.number(),
    flagsLeftByReset: z.number(),
  }),
  /** The device is now bound to the applicant by this check. */
  claimed: z.boolean(),
  decidedAt: z.string(),
});
export type SignUpCheckResponse = z.infer<typeof signUpCheckResponseSchema>;
