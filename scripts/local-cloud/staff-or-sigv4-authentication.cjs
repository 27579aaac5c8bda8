/**
 * serverless-offline's stand-in for API Gateway's authorisers on a service with both kinds: a route with a
 * COGNITO_USER_POOLS authoriser (staff signed in with the company's user pool, whose local stand-in dlq-console owns)
 * is checked as dlq-console's are; every other route as the project's AWS_IAM routes are (SigV4). serverless-offline
 * takes one authentication provider per service, so this one hands each route to the right one. CommonJS: loaded
 * with require() in the framework's own process.
 */
const sigv4 = require('./sigv4-authentication.cjs');
const staff = require('../../services/dlq-console/local/cognito-authentication.cjs');

const isCognito = (authorizer) => String(authorizer?.type ?? '').toUpperCase() === 'COGNITO_USER_POOLS';

module.exports = function staffOrSigv4AuthenticationProvider(endpoint, functionKey, method, routePath) {
  return (isCognito(endpoint.authorizer) ? staff : sigv4)(endpoint, functionKey, method, routePath);
};
