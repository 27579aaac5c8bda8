import {
  buildOncePerContainer,
  guardedHttp,
  jsonResponse,
  MetricUnit,
  parseJsonBody,
  type HttpHandler,
} from '@backbone/shared';
import { deviceIdSchema, signUpCheckRequestSchema, type SignUpCheckResponse } from '../../../contracts';

import { AttestationRefusedError, checkSignUp } from '../../domain/signup-check';

import { wireSignUpCheck, type SignUpCheckDeps } from './wiring';

const EXPECTED_BODY =
  '{"applicantId": "<customer id>", "attestation": {...}?, "attestationVerdict": "<signed verdict>"?, "rules": "current" | "legacy"?, "dryRun": true?}';

/**
 * POST /devices/{deviceId}/signup-checks: may this applicant sign up on this device? 200 with the decision (allow,
 * allow_transfer, review with its step-up, block), its reasons, the rules version and the evidence; 400 naming the
 * field at fault. An unknown device is free, not an error.
 */
export function createSignUpCheckHandler(deps: SignUpCheckDeps): HttpHandler {
  const { logger, metrics } = deps;
  return guardedHttp('device-ownership', logger, async (event) => {
    const deviceId = deviceIdSchema.safeParse(event.pathParameters?.['deviceId'] ?? '');
    if (!deviceId.success)
      return jsonResponse(400, {
        message: `deviceId (path): ${deviceId.error.issues[0]!.message}. Call POST /devices/{deviceId}/signup-checks.`,
        problems: [{ field: 'deviceId', message: deviceId.error.issues[0]!.message }],
      });
    const body = parseJsonBody(event, signUpCheckRequestSchema, EXPECTED_BODY);
    if (!body.ok) return body.response;
    const { applicantId, attestation, attestationVerdict, rules, dryRun } = body.value;
    let result;
    try {
      result = await checkSignUp(deps, {
        deviceId: deviceId.data,
        applicant: { customerId: applicantId, ...(attestation ? { attestation } : {}) },
        ...(attestationVerdict !== undefined ? { attestationVerdict } : {}),
        rules,
        dryRun,
      });
    } catch (error) {
      if (!(error instanceof AttestationRefusedError)) throw error;
      return jsonResponse(400, {
        message: `attestationVerdict: ${error.message}`,
        problems: [{ field: 'attestationVerdict', message: error.message }],
      });
    }
    // Reasons and counts only: no device or customer id in a log line.
    logger.info('sign-up checked', {
      outcome: result.outcome,
      reasons: result.reasons.map((r) => r.code),
      rules: result.rulesVersion,
      claimed: result.claimed,
    });
    metrics?.addMetric(`SignUpDecision.${result.outcome}`, MetricUnit.Count, 1);
    metrics?.publishStoredMetrics();
    return jsonResponse(200, result satisfies SignUpCheckResponse);
  });
}

export const handler = buildOncePerContainer(async () => createSignUpCheckHandler(wireSignUpCheck()));

export type { SignUpCheckDeps } from './wiring';
