/**
 * Every contract of the system in one place: what the dead-letter console reads any dead letter with (to validate it
 * in a dry run, and to know which of its fields are personal data).
 */
import { DEVICE_EVENT_CONTRACTS } from '@backbone/device-ownership/contracts';
import { MARKETING_EVENT_CONTRACTS } from '@backbone/marketing-events/contracts';
import {
  createContractReader,
  deadLetterRecordedV1,
  envelopeSchema,
  maskByName,
  maskBySchema,
  maskPersonal,
  newMaskSink,
} from '@backbone/shared';
import { customerRulesV1, eligibleCustomerV1, ruleSetPublishedV1 } from '@backbone/snoop-scheduler/contracts';
import { auditEntryRecordedV1, redriveRequestedV1, redriveRequestedV2 } from '../../contracts';

export const ALL_CONTRACTS = [
  ...MARKETING_EVENT_CONTRACTS,
  ...DEVICE_EVENT_CONTRACTS,
  ruleSetPublishedV1,
  customerRulesV1,
  eligibleCustomerV1,
  deadLetterRecordedV1,
  redriveRequestedV1,
  redriveRequestedV2,
  auditEntryRecordedV1,
] as const;

/** Reads any message of the system into its envelope; throws InvalidMessageError saying what is wrong. */
export const anyContractReader = createContractReader(ALL_CONTRACTS);

const byTypeAndVersion = new Map(ALL_CONTRACTS.map((c) => [`${c.type} v${c.version}`, c]));

/** A message body as shown: its text masked, the paths masked (names, never values) and the values taken out. */
export interface MaskedBody {
  text: string;
  masked: string[];
  /** The personal values found in it, to mask wherever a text about this message quotes them (its reason). */
  values: ReadonlySet<string>;
}

/**
 * A message body with its personal data masked: the envelope's id and correlation id (which embed customers' and
 * loans' ids), and the fields its contract marks personal (a notice's embedded message by that message's own
 * contract); or, a message no contract describes or without an envelope, fields named like personal data. A body
 * that is not JSON is not shown at all.
 */
export function maskMessageBody(body: string): MaskedBody {
  let decoded: unknown;
  try {
    decoded = JSON.parse(body);
  } catch {
    return {
      text: `(not JSON: ${body.length} characters, shown only to someone allowed to unmask)`,
      masked: ['(all)'],
      values: new Set(),
    };
  }
  const sink = newMaskSink((embedded) => maskMessageBody(embedded).text);
  const header = envelopeSchema.safeParse(decoded);
  const contract = header.success ? byTypeAndVersion.get(`${header.data.type} v${header.data.version}`) : undefined;
  if (contract && header.success) {
    const envelope = decoded as Record<string, unknown>;
    const shown = {
      ...envelope,
      id: maskPersonal(envelope['id'], 'id', sink),
      correlationId: maskPersonal(envelope['correlationId'], 'correlationId', sink),
      data: maskBySchema(header.data.data, contract.schema, 'data', sink),
    };
    return { text: JSON.stringify(shown), masked: sink.masked, values: sink.values };
  }
  return { text: JSON.stringify(maskByName(decoded, '', sink)), masked: sink.masked, values: sink.values };
}
