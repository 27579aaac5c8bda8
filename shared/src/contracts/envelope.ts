import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { currentCorrelation } from '../observability/correlation';
import { InvalidMessageError } from '../errors';
import { formatIssues } from '../validation';

/**
 * Every message that crosses a service boundary travels in this envelope, so a
 * consumer, a DLQ console or a replay tool can route and describe any message
 * without knowing its payload.
 */
export const envelopeSchema = z.object({
  /** Stable identity of the fact. The same business fact published twice carries the same id. */
  id: z.string().min(1).max(256),
  type: z.string().min(1).max(128),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  correlationId: z.string().min(1).max(256),
  data: z.unknown(),
});

export type EnvelopeHeader = Omit<z.infer<typeof envelopeSchema>, 'data'>;

export interface Envelope<TType extends string = string, TData = unknown> extends EnvelopeHeader {
  type: TType;
  data: TData;
}

export interface EnvelopeMeta {
  id?: string;
  correlationId?: string;
  occurredAt?: Date | string;
}

export interface MessageContract<TType extends string, TData, TInput = TData> {
  readonly type: TType;
  readonly version: number;
  readonly schema: z.ZodType<TData, TInput>;
  /** Builds a validated envelope; throws InvalidMessageError naming the field when data is wrong. */
  create(data: TInput, meta?: EnvelopeMeta): Envelope<TType, TData>;
  /** Validates an already-decoded envelope of this type and version. */
  parse(envelope: EnvelopeHeader & { data: unknown }): Envelope<TType, TData>;
}

export type ContractData<C> = C extends MessageContract<string, infer D, unknown> ? D : never;
export type ContractEnvelope<C> = C extends MessageContract<infer T, infer D, unknown> ? Envelope<T, D> : never;

/**
 * How reasons and logs name a message: a pseudonym of its envelope id, never the id itself, which may carry a
 * customer id (RegistrationCompleted:<customerId>). The same id always gives the same ref, so an operator who has
 * the message (its body is in the DLQ) can match it: ref = first 12 hex characters of SHA-256(id).
 */
export const messageRef = (id: string): string => `ref ${createHash('sha256').update(id).digest('hex').slice(0, 12)}`;

export function defineContract<TType extends string, TData, TInput>(definition: {
  type: TType;
  version: number;
  schema: z.ZodType<TData, TInput>;
}): MessageContract<TType, TData, TInput> {
  const { type, version, schema } = definition;

  const parseData = (data: unknown, id: string): TData => {
    const result = schema.safeParse(data);
    if (!result.success) {
      throw new InvalidMessageError(
        `${type} v${version} message ${messageRef(id)} is invalid: ${formatIssues(result.error.issues, 'data')}. ` +
          `Fix the producer so that it sends data matching the ${type} v${version} contract.`,
      );
    }
    return result.data;
  };

  return {
    type,
    version,
    schema,
    create(data, meta = {}) {
      const id = meta.id ?? randomUUID();
      const occurredAt =
        meta.occurredAt instanceof Date ? meta.occurredAt.toISOString() : (meta.occurredAt ?? new Date().toISOString());
      return {
        id,
        type,
        version,
        occurredAt,
        // Sent while a message is handled: the conversation it belongs to goes on with it.
        correlationId: meta.correlationId ?? currentCorrelation()?.correlationId ?? id,
        data: parseData(data, id),
      };
    },
    parse(envelope) {
      if (envelope.type !== type || envelope.version !== version) {
        throw new InvalidMessageError(
          `expected a ${type} v${version} message, got ${envelope.type} v${envelope.version} (${messageRef(envelope.id)})`,
        );
      }
      return { ...envelope, type, data: parseData(envelope.data, envelope.id) };
    },
  };
}

/** Reads raw message bodies into typed envelopes of the contracts a consumer accepts. */
export interface ContractReader<TEnvelope> {
  read(body: string): TEnvelope;
  readonly accepts: readonly string[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- contracts of any data shape are accepted here
type AnyContract = MessageContract<string, any, any>;

export function createContractReader<const TContracts extends readonly AnyContract[]>(
  contracts: TContracts,
): ContractReader<ContractEnvelope<TContracts[number]>> {
  const byType = new Map<string, Map<number, AnyContract>>();
  for (const contract of contracts) {
    const versions = byType.get(contract.type) ?? new Map<number, AnyContract>();
    if (versions.has(contract.version)) {
      throw new Error(`contract ${contract.type} v${contract.version} is registered twice`);
    }
    versions.set(contract.version, contract);
    byType.set(contract.type, versions);
  }
  const accepts = contracts.map((c) => `${c.type} v${c.version}`);

  return {
    accepts,
    read(body) {
      let decoded: unknown;
      try {
        decoded = JSON.parse(body);
      } catch {
        throw new InvalidMessageError(
          `message body is not JSON (${body.length} characters; its text is kept in the message, never in a reason or a log). ` +
            `Producers must send a JSON envelope {id, type, version, occurredAt, correlationId, data}.`,
        );
      }
      const header = envelopeSchema.safeParse(decoded);
      if (!header.success) {
        throw new InvalidMessageError(
          `message is not a valid envelope: ${formatIssues(header.error.issues)}. ` +
            `Publish through the shared producer, which builds envelopes from a contract.`,
        );
      }
      const envelope = header.data;
      const versions = byType.get(envelope.type);
      if (!versions) {
        throw new InvalidMessageError(
          `unknown message type "${envelope.type}" (${messageRef(envelope.id)}); this consumer accepts ${accepts.join(', ')}`,
        );
      }
      const contract = versions.get(envelope.version);
      if (!contract) {
        throw new InvalidMessageError(
          `unknown version ${envelope.version} of ${envelope.type} (${messageRef(envelope.id)}); ` +
            `known versions: ${[...versions.keys()].join(', ')}. Deploy a consumer that understands it, then redrive.`,
        );
      }
      return contract.parse(envelope) as ContractEnvelope<TContracts[number]>;
    },
  };
}
