/**
 * Dead letters of every contract of the system with a distinct value planted in every field its contract marks
 * personal (and in the envelope's ids, the correlation attribute, the FIFO group, the reason and the platforms'
 * answers), for tests that scan what the console shows for any of them. Planted values hold neither `x` nor `9` (what
 * masking writes), so a masked value can never read as a planted one.
 */
import { ATTRIBUTE, personalMarking, schemaDefOf } from '@backbone/shared';
import type { z } from 'zod';
import { ALL_CONTRACTS } from './contract-registry';
import type { DeadLetter } from './dead-letters';
import { DLQ, SOURCE } from './dead-letters.fixtures';

/** A number written without 9: base 8. */
const octal = (n: number): string => n.toString(8);

/** `start` numbers the values (any start gives values distinct from each other, none holding x or 9). */
export function plantedDeadLetters(start = 100): { letters: DeadLetter[]; planted: string[] } {
  const planted: string[] = [];
  let n = start;
  const remember = (value: string): string => {
    planted.push(value);
    return value;
  };

  /** A value the schema accepts, planted: an id, a date, 32 hex characters, a phone number, an email. */
  const plantValue = (schema: z.ZodType, key = ''): string => {
    n++;
    const candidates = [
      `Pk${octal(n)}Qw-Tz`,
      `18${String(n % 80).padStart(2, '0')}-0${(n % 8) + 1}-1${n % 8}`,
      `${octal(n * 7_654_321).padEnd(16, 'a')}${octal(n).padStart(16, 'b')}`.slice(0, 32),
      `+4477008${octal(n).padStart(5, '0')}`,
      `pk${octal(n)}@mail.test`,
    ];
    // As such a field holds it where its name says what it is (an email where the name says email), else the first
    // its schema accepts.
    const named = /mail/i.test(key) ? 4 : /phone|mobile/i.test(key) ? 3 : /birth|date/i.test(key) ? 1 : 0;
    const fits = [candidates[named]!, ...candidates].find((value) => schema.safeParse(value).success);
    return remember(fits ?? candidates[0]!);
  };

  /** A platform's answer quoting a planted phone number and email. */
  const plantText = (): string => {
    n++;
    return `answered 400: ${remember(`+4477006${octal(n).padStart(5, '0')}`)} and ${remember(`pm${octal(n)}@mail.test`)} refused`;
  };

  let embedded = 0;
  const sample = (schema: z.ZodType, variant: number, key = ''): unknown => {
    const mark = personalMarking(schema);
    if (mark === 'value')
      return schemaDefOf(schema).type === 'record'
        ? { [ATTRIBUTE.correlationId]: plantValue(schema) }
        : plantValue(schema, key);
    if (mark === 'text') return plantText();
    if (mark === 'message') return JSON.stringify(envelopeOf(ALL_CONTRACTS[embedded++ % 4]!, variant));
    const def = schemaDefOf(schema);
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'catch':
        return sample(def.innerType!, variant, key);
      case 'pipe':
        return sample(def.in!, variant, key);
      case 'object':
        return Object.fromEntries(
          Object.entries(def.shape!).map(([name, field]) => [name, sample(field, variant, name)]),
        );
      case 'array':
        return [sample(def.element!, variant)];
      case 'record':
        return { key: sample(def.valueType!, variant) };
      case 'union':
        return sample(def.options![variant % def.options!.length]!, variant);
      case 'enum':
        return Object.values(def.entries!)[0];
      case 'literal':
        return def.values![0];
      case 'boolean':
        return true;
      case 'number':
        return 1;
      default:
        return 'ABC';
    }
  };

  const envelopeOf = (contract: (typeof ALL_CONTRACTS)[number], variant: number) => ({
    id: plantValue(contract.schema),
    type: contract.type,
    version: contract.version,
    occurredAt: '2026-11-30T12:00:00.000Z',
    correlationId: plantValue(contract.schema),
    data: sample(contract.schema, variant),
  });

  const letters: DeadLetter[] = [];
  ALL_CONTRACTS.forEach((contract, c) =>
    [0, 1].forEach((variant) => {
      const from = planted.length;
      const envelope = envelopeOf(contract, variant);
      const ownValues = planted.slice(from);
      const quoted = `invalid ${ownValues.slice(-3).join(' for ')}`;
      letters.push({
        dlq: DLQ,
        messageId: `m-${c}-${variant}`,
        sourceQueue: SOURCE,
        kind: 'permanent',
        reason: `meta answered 400: ${quoted}`,
        destinations: [{ destination: 'meta', code: '400', message: `meta answered 400: ${quoted}` }],
        failedAt: new Date(Date.UTC(2026, 10, 30, 12, c, variant)).toISOString(),
        receiveCount: 1,
        originalMessageId: `o-${c}-${variant}`,
        messageType: contract.type,
        messageVersion: contract.version,
        groupId: plantValue(contract.schema),
        body: JSON.stringify(envelope),
        attributes: { [ATTRIBUTE.correlationId]: envelope.correlationId, [ATTRIBUTE.type]: contract.type },
        indexedBy: 'consumer',
      });
    }),
  );
  return { letters, planted: [...new Set(planted)] };
}

/** The planted values a text holds. */
export const plantedIn = (text: string, planted: readonly string[]): string[] =>
  planted.filter((p) => text.includes(p));
