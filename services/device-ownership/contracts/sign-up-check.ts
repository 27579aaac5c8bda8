/** device-ownership's HTTP API: the sign-up check, its request and its answer. */
import { z } from 'zod';
import { attestationSchema, customerIdSchema } from './events';

export const SIGN_UP_CHECK_PATH = '/devices/{deviceId}/signup-checks';

export const signUpCheckRequestSchema = z.object(
  {
    applicantId: customerIdSchema,
    attestation: attestationSchema.optional(),
    rules: z.enum(['current', 'legacy']).default('current'),
    dryRun: z.boolean().default(false),
  },
  'the body must be a JSON object',
);
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
