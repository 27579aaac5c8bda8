/** device-ownership's public contracts: the device events it accepts on its queue, and its sign-up check. */
import type { PublishedContracts } from '@backbone/shared';
import { DEVICE_EVENT_CONTRACTS } from './events';
import { SIGN_UP_CHECK_PATH, signUpCheckRequestSchema, signUpCheckResponseSchema } from './sign-up-check';

export * from './events';
export * from './sign-up-check';

export const PUBLISHED: PublishedContracts = {
  service: 'device-ownership',
  summary: 'Device events pre-processed into Cassandra; "may this customer sign up on this phone?" in one read.',
  queues: [
    {
      name: 'device-events',
      owner: 'device-ownership',
      action: 'receive',
      summary: 'Device events from the backends: installs, sign-ups, logins, loans, standing, fraud flags, resets.',
      messages: DEVICE_EVENT_CONTRACTS,
    },
  ],
  http: {
    title: 'device-ownership',
    version: '2.0.0',
    summary: 'The sign-up check (AWS_IAM: requests signed with SigV4).',
    operations: [
      {
        method: 'post',
        path: SIGN_UP_CHECK_PATH,
        summary: 'Decide whether the applicant may sign up on the device, binding it when the answer allows that.',
        security: 'aws-iam',
        request: signUpCheckRequestSchema,
        responses: {
          200: { description: 'The decision.', schema: signUpCheckResponseSchema },
          400: { description: 'A field is wrong: the answer names it.' },
          403: { description: 'The request is not signed, or not by a caller allowed to call it.' },
        },
      },
    ],
  },
};
