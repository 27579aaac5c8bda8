/**
 * serverless-offline's stand-in for API Gateway's Cognito user pool authoriser on the console's API (loaded as its
 * custom authentication provider, dlq-console/serverless.yml `custom.offline`). A route with a COGNITO_USER_POOLS
 * authoriser answers 401, with what to do, unless the request carries an ID token the local issuer signed
 * (identity.ts: RS256 with its key under the local cloud's folder), unexpired, for the console's client; the
 * function then reads the same token's claims as in AWS. serverless-offline's "authoriser override" header would
 * let a caller choose its own claims, so a request carrying it is refused, and so is one with more than one
 * Authorization header (below). Routes with no authoriser (the page) pass. CommonJS: serverless-offline loads it with require() in the framework's own process.
 */
const { createVerify } = require('node:crypto');
const { readFileSync } = require('node:fs');
const path = require('node:path');
const Boom = require('@hapi/boom');

const ISSUER = 'http://127.0.0.1:3050/local-identity';
// The local pool's clients (identity.ts LOCAL_CLIENTS): the console's page and the snoop editor's. As API Gateway's
// Cognito authoriser, an ID token of any client of the pool is accepted.
const CLIENT_IDS = new Set(['dlq-console-local', 'rules-editor-local']);

const publicKey = () =>
  readFileSync(
    path.join(
      process.env.LOCAL_CLOUD_DIR || path.join(__dirname, '..', '..', '..', '.local-cloud'),
      'dlq-console',
      'issuer.pub.pem',
    ),
    'utf8',
  );

const refuse = (why) =>
  Boom.unauthorized(
    `${why}. Sign in: locally, a token from localSignIn (@backbone/dlq-console/local); in AWS, the console's Cognito user pool.`,
  );

function verify(header) {
  if (!header) throw refuse('the request carries no token');
  const token = header.startsWith('Bearer ') ? header.slice(7) : header;
  const parts = token.split('.');
  if (parts.length !== 3) throw refuse('the Authorization header is not a JWT');
  const [head, body, signature] = parts;
  let claims;
  try {
    if (JSON.parse(Buffer.from(head, 'base64url').toString('utf8')).alg !== 'RS256') throw new Error('alg');
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw refuse('the token cannot be read');
  }
  let key;
  try {
    key = publicKey();
  } catch {
    throw refuse('the local issuer has no key yet (npm start, or the tests, make it)');
  }
  const valid = createVerify('RSA-SHA256').update(`${head}.${body}`).verify(key, Buffer.from(signature, 'base64url'));
  if (!valid) throw refuse('the token is not signed by the local issuer');
  if (claims.iss !== ISSUER || !CLIENT_IDS.has(claims.aud) || claims.token_use !== 'id')
    throw refuse("the token is not an ID token of the staff pool's clients");
  if (!(claims.exp * 1000 > Date.now())) throw refuse('the token has expired');
  return claims;
}

const isCognito = (authorizer) => String(authorizer?.type ?? '').toUpperCase() === 'COGNITO_USER_POOLS';

/**
 * How many Authorization headers the request carried, as sent. Node keeps the first of several; serverless-offline
 * builds the function's event, and its claims, from the raw headers, where the last wins: with two, this check would
 * verify one token and the function read another's claims. So a request must carry exactly one.
 */
const authorizationHeaders = (request) => {
  const raw = request.raw?.req?.rawHeaders ?? [];
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (String(raw[i]).toLowerCase() === 'authorization') count++;
  return count;
};

module.exports = function cognitoAuthenticationProvider(endpoint, functionKey, method, routePath) {
  const name = `local-cognito-${functionKey}-${method}-${routePath}`;
  const cognito = isCognito(endpoint.authorizer);
  return {
    name,
    scheme: name,
    getAuthenticateFunction: () => ({
      async authenticate(request, h) {
        if (request.headers['sls-offline-authorizer-override'])
          throw Boom.forbidden('the authoriser override header is refused here: sign in instead');
        if (!cognito) return h.authenticated({ credentials: {} });
        if (authorizationHeaders(request) > 1)
          throw refuse('the request carries more than one Authorization header: send one token');
        const claims = verify(request.headers.authorization);
        return h.authenticated({ credentials: { principalId: claims.sub, context: {} } });
      },
    }),
  };
};
