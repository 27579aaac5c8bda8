'use strict';
/**
 * A Serverless Framework plugin that finishes what serverless-iam-roles-per-function starts (list it after that
 * plugin: both run before "package:finalize", in the order listed):
 *
 * - the framework's default execution role (IamRoleLambdaExecution) stays in the template even when every
 *   function has a role of its own, because that plugin copies it as the template of each function's role.
 *   Nothing assumes it, but it is one more role with queue permissions an attacker could look for: it is removed
 *   once nothing in the template refers to it.
 * - that plugin also adds each function's role to the function's DependsOn, which its Role (Fn::GetAtt) already
 *   enforces (cfn-lint W3005): the duplicate is dropped.
 * - with Lambda's active tracing on (provider.tracing.lambda), the framework lets its default role send traces, but
 *   that plugin's roles are not given the right: each function's own role gets it (X-Ray's two actions take no
 *   resource).
 */
const DEFAULT_ROLE = 'IamRoleLambdaExecution';

/** Whether any resource or output mentions a logical id (Ref, Fn::GetAtt, Fn::Sub text, DependsOn). */
function referencedAnywhere(template, logicalId) {
  const mentions = (value) => {
    if (typeof value === 'string') return value === logicalId || value.includes('${' + logicalId);
    if (Array.isArray(value)) return value.some(mentions);
    if (value !== null && typeof value === 'object') return Object.values(value).some(mentions);
    return false;
  };
  const others = Object.entries(template.Resources ?? {}).filter(([id]) => id !== logicalId);
  return others.some(([, resource]) => mentions(resource)) || mentions(template.Outputs ?? {});
}

class TidyFunctionRoles {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.tidy() };
  }

  tidy() {
    const { provider } = this.serverless.service;
    const template = provider.compiledCloudFormationTemplate;
    if (provider.tracing?.lambda) {
      for (const [logicalId, resource] of Object.entries(template.Resources)) {
        if (resource.Type !== 'AWS::IAM::Role' || logicalId === DEFAULT_ROLE) continue;
        const assumedByLambda = JSON.stringify(resource.Properties?.AssumeRolePolicyDocument ?? {}).includes(
          'lambda.amazonaws.com',
        );
        const policy = resource.Properties?.Policies?.[0]?.PolicyDocument;
        if (!assumedByLambda || !policy) continue;
        const already = JSON.stringify(policy.Statement).includes('xray:PutTraceSegments');
        if (!already)
          policy.Statement.push({
            Effect: 'Allow',
            Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
            Resource: '*',
          });
      }
    }
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function' || !Array.isArray(resource.DependsOn)) continue;
      const role = resource.Properties?.Role?.['Fn::GetAtt']?.[0];
      if (role) resource.DependsOn = resource.DependsOn.filter((id) => id !== role);
      if (resource.DependsOn.length === 0) delete resource.DependsOn;
    }
    if (template.Resources[DEFAULT_ROLE] && !referencedAnywhere(template, DEFAULT_ROLE)) {
      delete template.Resources[DEFAULT_ROLE];
    }
  }
}

module.exports = TidyFunctionRoles;
