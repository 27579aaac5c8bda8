'use strict';
/**
 * A Serverless Framework plugin that throttles a service's REST API in its own template (API Gateway's default is the
 * account's limit, 10,000 requests a second, shared by every API of the region: one caller could exhaust it for all).
 * From `custom.apiThrottling: { rateLimit, burstLimit }` it writes the stage's limits, for every method, on the
 * deployment that creates the stage, so that the packaging test can check them and no call after the deploy is needed.
 */
class ApiThrottling {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.throttle() };
  }

  throttle() {
    const settings = this.serverless.service.custom?.apiThrottling;
    if (!settings) return;
    const rateLimit = Number(settings.rateLimit);
    const burstLimit = Number(settings.burstLimit);
    if (!(rateLimit > 0) || !(burstLimit > 0))
      throw new Error('custom.apiThrottling needs rateLimit and burstLimit, both positive numbers');
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::ApiGateway::Deployment') continue;
      resource.Properties.StageDescription = {
        ...(resource.Properties.StageDescription ?? {}),
        ThrottlingRateLimit: rateLimit,
        ThrottlingBurstLimit: burstLimit,
        MethodSettings: [
          { ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: rateLimit, ThrottlingBurstLimit: burstLimit },
        ],
      };
    }
  }
}

module.exports = ApiThrottling;
