/**
 * Every contract of the system in one place: what the dead-letter console reads any dead letter with (to validate it
 * in a dry run, and to know which of its fields are personal data).
 */
import { DEVICE_EVENT_CONTRACTS } from '@backbone/device-ownership/contracts';
import { MARKETING_EVENT_CONTRACTS } from '@backbone/marketing-events/contracts';
import { createContractReader, deadLetterRecordedV1, envelopeSchema, maskByName, maskBySchema } from '@backbone/shared';
import { customerRulesV1, eligibleCustomerV1, ruleSetPublishedV1 } from '@backbone/snoop-scheduler/contracts';
import { redriveRequestedV1 } from '../../contracts';

export const ALL_CONTRACTS = [
  ...MARKETING_EVENT_CONTRACTS,
  ...DEVICE_EVENT_CONTRACTS,
  ruleSetPublishedV1,
  customerRulesV1,
  eligibleCustomerV1,
  deadLetterRecordedV1,
  redriveRequestedV1,
] as const;

/** Reads any message of the system into its envelope; throws InvalidMessageError saying what is wrong. */
export const anyContractReader = createContractReader(ALL_CONTRACTS);

const byTypeAndVersion = new Map(ALL_CONTRACTS.map((c) => [`${c.type} v${c.version}`, c]));

/**
 * A message body with its personal data masked: the fields its contract marks personal, or (a message no contract
 * describes, or no envelope) fields named like personal data. `masked` lists the paths masked (names, not values).
 * A body that is not JSON is not shown at all.
 */
export function maskMessageBody(body: string): { text: string; masked: string[] } {
  let decoded: unknown;
  try {
    decoded = JSON.parse(body);
  } catch {
    return {
      text: `(not JSON: ${body.length} characters, shown only to someone allowed to unmask)`,
      masked: ['(all)'],
    };
  }
  const masked: string[] = [];
  const header = envelopeSchema.safeParse(decoded);
  const contract = header.success ? byTypeAndVersion.get(`${header.data.type} v${header.data.version}`) : undefined;
  if (contract && header.success) {
    const data = maskBySchema(header.data.data, contract.schema, 'data', masked);
    return { text: JSON.stringify({ ...(decoded as object), data }), masked };
  }
  return { text: JSON.stringify(maskByName(decoded, '', masked)), masked };
}
