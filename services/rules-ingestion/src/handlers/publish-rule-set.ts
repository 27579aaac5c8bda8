import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createRulesIngestion } from '../composition-root';
import { guarded, invalid, json, logger } from './http-common';

const ingestion = createRulesIngestion();

/** POST /rule-sets: validate every active definition and publish; 201 published, 200 unchanged, 422 invalid. */
export async function publishRuleSet(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return guarded(event, async () => {
    // With AWS_IAM, API Gateway has verified the signature and names the caller; the publication records it.
    const caller = event.requestContext.identity.userArn;
    if (!caller) return json(403, { message: 'sign the request with AWS SigV4 (AWS_IAM): the caller is unknown' });
    const outcome = await ingestion.publish(caller);
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
        return json(201, { status: 'published', ...outcome.published });
      case 'unchanged':
        return json(200, { status: 'unchanged', ruleSetVersion: outcome.version, ruleCount: outcome.ruleCount });
      case 'invalid':
        return json(422, { status: 'invalid', ...invalid(outcome.errors) });
    }
  });
}
