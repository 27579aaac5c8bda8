/** device-ownership's HTTP API: the sign-up check, its request and its answer. */
import { z } from 'zod';
import { attestationSchema, customerIdSchema } from './events';

export const SIGN_UP_CHECK_PATH = '/devices/{deviceId}/signup-checks';

/**
 * A coarse fact about the device's owner or its history, as the policy sees it: never a date, an amount or a count of
 * another customer's (the caller is told why, not what another customer owes or when they last used their phone).
 */
export const EVIDENCE_FACTS = [
  'owner_account_younger_than_window',
  'owner_account_older_than_window',
  'owner_active_within_cool_down',
  'owner_inactive_beyond_cool_down',
  'owner_has_open_loans',
  'owner_in_arrears',
  'owner_account_closed',
  'device_reset_since_owner_last_seen',
  'device_reset_before_owner_last_seen',
] as const;
export type EvidenceFact = (typeof EVIDENCE_FACTS)[number];

export const signUpCheckRequestSchema = z
  .object(
    {
      applicantId: customerIdSchema,
      /**
       * What the app says its device's attestation is: the applicant's own word, which can only make a decision
       * stricter (a reset-proof marker it says is set), never looser.
       */
      attestation: attestationSchema.optional(),
      /**
       * A verdict the attestation service signed (ES256 JWS: subject the device, claim `attestation`, minutes old):
       * verified server-side, and then what it says may change what the stored record says, either way.
       */
      attestationVerdict: z.string().min(1).max(8_192).optional(),
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
  /**
   * What the decision looked at: the owner by relation, and about another customer's ownership only coarse facts
   * (codes such as owner_inactive_beyond_cool_down), never their dates, loans or amounts.
   */
  evidence: z.object({
    owner: z.enum(['none', 'applicant', 'another customer']),
    facts: z.array(z.enum(EVIDENCE_FACTS)),
    accountsInWindow: z.number(),
    liveFlags: z.number(),
    flagsLeftByReset: z.number(),
  }),
  /** The device is now bound to the applicant by this check. */
  claimed: z.boolean(),
  decidedAt: z.string(),
});
export type SignUpCheckResponse = z.infer<typeof signUpCheckResponseSchema>;
