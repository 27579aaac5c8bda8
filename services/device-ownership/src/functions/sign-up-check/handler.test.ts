import { createLogger } from '@backbone/shared';
import { apiGatewayEvent } from '@backbone/shared/testing';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createMemoryDeviceStore } from '../../adapters/memory-device-store';
import { DEFAULT_POLICY } from '../../domain/rules';
import { createSignUpCheckHandler } from './handler';

const NOW = new Date('2026-11-30T12:00:00.000Z');

function setUp() {
  const stores = createMemoryDeviceStore(() => NOW);
  const lines: string[] = [];
  const logger = createLogger('test');
  jest.spyOn(logger, 'info').mockImplementation((...args: unknown[]) => void lines.push(JSON.stringify(args)));
  const handler = createSignUpCheckHandler({ store: stores.decisions, policy: DEFAULT_POLICY, now: () => NOW, logger });
  return { handler, stores, lines };
}

const check = (deviceId: string, body: unknown): APIGatewayProxyEvent => ({
  ...apiGatewayEvent({ path: `/devices/${deviceId}/signup-checks`, body: JSON.stringify(body) }),
  pathParameters: { deviceId },
});

describe('signUpCheck handler', () => {
  afterEach(() => jest.restoreAllMocks());

  it('answers 200 with the decision, binds a free device, and logs reasons without any id', async () => {
    const { handler, stores, lines } = setUp();
    const response = await handler(check('device-7', { applicantId: 'customer-42' }));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ deviceId: 'device-7', outcome: 'allow', claimed: true });
    expect(stores.history()).toEqual([{ deviceId: 'device-7', since: NOW, ownerId: 'customer-42' }]);
    expect(lines.join('\n')).toContain('device_free');
    expect(lines.join('\n')).not.toMatch(/device-7|customer-42/);
  });

  it('answers 400 naming the field at fault, and binds nothing', async () => {
    const { handler, stores } = setUp();
    const noApplicant = await handler(check('device-7', { applicant: 'x' }));
    expect(noApplicant.statusCode).toBe(400);
    expect(noApplicant.body).toContain('applicantId');
    const badDevice = await handler(check('', { applicantId: 'customer-42' }));
    expect(badDevice.statusCode).toBe(400);
    expect(badDevice.body).toContain('deviceId');
    expect(stores.history()).toEqual([]);
  });

  it('never binds by the legacy rule, which looks at no fraud flag: only a dry run may ask for it', async () => {
    const { handler, stores } = setUp();
    // A device flagged for fraud: the current rules block it; the legacy rule, blind to flags, would allow it.
    await stores.events.recordDeviceFlag(
      'device-8',
      'flag-1',
      {
        id: 'flag-1',
        reason: 'ring',
        raisedAt: NOW,
        expiresAt: new Date(NOW.getTime() + 86_400_000),
        resetProof: false,
      },
      NOW,
    );
    const binding = await handler(check('device-8', { applicantId: 'customer-42', rules: 'legacy' }));
    expect(binding.statusCode).toBe(400);
    expect(binding.body).toContain('the legacy rule decides only as a dry run');
    const shadow = await handler(check('device-8', { applicantId: 'customer-42', rules: 'legacy', dryRun: true }));
    expect(shadow.statusCode).toBe(200);
    expect(JSON.parse(shadow.body)).toMatchObject({ rulesVersion: 'legacy-v1', claimed: false });
    const current = await handler(check('device-8', { applicantId: 'customer-42' }));
    expect(JSON.parse(current.body)).toMatchObject({ outcome: 'block', claimed: false });
    expect(stores.history()).toEqual([]);
  });
});
