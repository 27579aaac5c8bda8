import {
  buildOncePerContainer,
  callerIdentity,
  guardedHttp,
  jsonResponse,
  unsignedRequest,
  type HttpHandler,
} from '@backbone/shared';
import { invalidDefinitions } from '../../domain/report';

import { wirePublishRuleSet, type PublishRuleSetDeps } from './wiring';

/** POST /rule-sets: validate every active definition and publish; 201 published, 200 unchanged, 422 invalid. */
export function createPublishRuleSetHandler({ publish, logger }: PublishRuleSetDeps): HttpHandler {
  return guardedHttp('rules-ingestion', logger, async (event) => {
    // With AWS_IAM, API Gateway has verified the signature and names the caller; the publication records it.
    const caller = callerIdentity(event);
    if (!caller) return unsignedRequest();
    const outcome = await publish(caller.arn);
    logger.info('publish requested', {
      outcome: outcome.status,
      ...(outcome.status === 'published'
        ? { ruleSetVersion: outcome.published.ruleSetVersion, ruleCount: outcome.published.ruleCount }
        : outcome.status === 'unchanged'
          ? { ruleSetVersion: outcome.version, ruleCount: outcome.ruleCount }
          : { problems: outcome.errors.length }),
    });
    switch (outcome.status) {
      case 'published':
        return jsonResponse(201, { status: 'published', ...outcome.published });
      case 'unchanged':
        return jsonResponse(200, {
          status: 'unchanged',
          ruleSetVersion: outcome.version,
          ruleCount: outcome.ruleCount,
        });
      case 'invalid':
        return jsonResponse(422, { status: 'invalid', ...invalidDefinitions(outcome.errors) });
    }
  });
}

export const handler = buildOncePerContainer(async () => createPublishRuleSetHandler(wirePublishRuleSet()));

export type { PublishRuleSetDeps } from './wiring';
