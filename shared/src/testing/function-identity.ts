/**
 * The local credentials of one function, for a test that runs the function's own code in the test's process (a
 * scheduled step called directly, a relay run by hand): its AWS calls are then signed as that function's, and the
 * local cloud's gateway attributes them to it, as it does when serverless-offline runs the function (the IAM check,
 * scripts/testing/iam-policies.int.test.ts). The key is the one scripts/serverless/offline-caller-identity.cjs gives
 * the function: its Lambda name in hexadecimal after a prefix (DynamoDB Local accepts only letters and digits).
 */
export function functionIdentity(functionName: string): { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string } {
  return {
    AWS_ACCESS_KEY_ID: `LOCALFN${Buffer.from(functionName, 'utf8').toString('hex').toUpperCase()}`,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
  };
}
