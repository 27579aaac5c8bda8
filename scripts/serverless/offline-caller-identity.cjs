'use strict';
/**
 * A Serverless Framework plugin, active only under serverless-offline: each function signs its AWS calls with an
 * access key id of its own, so that the local cloud's gateway knows which function made which call and the IAM check
 * (scripts/testing/iam-policies.int.test.ts) can evaluate every call against that function's own packaged policy,
 * as AWS would against its role.
 *
 * serverless-offline runs each function in a worker thread with the function's environment, so an
 * AWS_ACCESS_KEY_ID there is that function's alone. The key spells the function's Lambda name in hexadecimal after a
 * prefix (scripts/local-cloud/iam-calls.ts reads it back), because DynamoDB Local accepts only letters and digits
 * in an access key id. The emulators accept any credentials, so nothing else changes. Nothing of this is packaged:
 * in AWS a function's credentials are its role's.
 */
const FUNCTION_KEY_PREFIX = 'LOCALFN';

const accessKeyIdOfFunction = (functionName) =>
  `${FUNCTION_KEY_PREFIX}${Buffer.from(functionName, 'utf8').toString('hex').toUpperCase()}`;

class OfflineCallerIdentity {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:offline:start:init': () => this.giveEachFunctionItsKey() };
  }

  giveEachFunctionItsKey() {
    const service = this.serverless.service;
    for (const name of service.getAllFunctions()) {
      const definition = service.getFunction(name);
      definition.environment = {
        ...definition.environment,
        AWS_ACCESS_KEY_ID: accessKeyIdOfFunction(definition.name),
      };
    }
  }
}

module.exports = OfflineCallerIdentity;
module.exports.accessKeyIdOfFunction = accessKeyIdOfFunction;
