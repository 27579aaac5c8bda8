/**
 * Which fields of a contract are personal data, said by the contract itself: a schema marked with `personal()` (a
 * value: an email, a phone number, a name, a customer's or a device's id), `personalText()` (free text that may quote
 * such a value: a platform's answer, a failure reason) or `embeddedMessage()` (another message's whole body, masked by
 * that message's own contract). The dead-letter console masks what a contract marks whenever it shows, exports or
 * logs a message; producers and consumers are unchanged (the mark is metadata, not validation).
 */
import { z } from 'zod';

export type Masking = 'value' | 'text' | 'message';

/** How a schema is marked personal (see personal, personalText, embeddedMessage), if it is. */
export const personalMarking = (schema: z.ZodType): Masking | undefined => {
  const meta = z.globalRegistry.get(schema);
  return meta?.['personal'] === true ? ((meta['masking'] as Masking | undefined) ?? 'value') : undefined;
};

/** Marks a field's schema as personal data (emails, phone numbers, names, dates of birth, people's and devices' ids). */
export const personal = <T extends z.ZodType>(schema: T): T => schema.meta({ personal: true });

/** Marks free text that may quote personal data (a platform's answer): shown with what looks personal replaced. */
export const personalText = <T extends z.ZodType>(schema: T): T => schema.meta({ personal: true, masking: 'text' });

/** Marks a string holding another message's body: masked by that message's own contract. */
export const embeddedMessage = <T extends z.ZodType>(schema: T): T =>
  schema.meta({ personal: true, masking: 'message' });

/**
 * Words that make a field name personal data wherever it appears, for a message no contract describes (camelCase,
 * snake_case and kebab-case names are split into words: `mobilePhone`, `birth_date`, `appInstanceId`, `surname`).
 */
const PERSONAL_WORDS = new Set([
  'email',
  'mail',
  'phone',
  'mobile',
  'msisdn',
  'tel',
  'telephone',
  'name',
  'surname',
  'forename',
  'firstname',
  'lastname',
  'fullname',
  'givenname',
  'birth',
  'birthdate',
  'birthday',
  'dob',
  'address',
  'street',
  'postcode',
  'zip',
  'ip',
  'id',
  'ids',
  'actor',
  'iban',
  'passport',
  'ssn',
  'nin',
]);

// An empty word (between two separators) is no personal word, and joined they are the same: no filtering needed.
const wordsOf = (key: string): string[] =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]/);

/** Whether a field named `key` is personal data when nothing else says (`id` and `*Id` among them: ids name people). */
export const isPersonalName = (key: string): boolean => {
  const words = wordsOf(key);
  return words.some((word) => PERSONAL_WORDS.has(word)) || PERSONAL_WORDS.has(words.join(''));
};

/**
 * A value with its personal content taken out but its shape kept, so that an operator sees what is wrong with it
 * (a phone number without its country code, an email without an @) without seeing whose it is: letters become x,
 * digits 9, anything else stays.
 */
export function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return maskString(value);
  if (typeof value === 'number') return 9;
  if (Array.isArray(value)) return value.map(maskValue);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, maskValue(inner)]));
  return value;
}

/** Letters to x, digits to 9: by character code for ASCII (every id and most names), by Unicode class otherwise. */
function maskString(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Stryker disable next-line EqualityOperator,ConditionalExpression: equivalent, the ASCII path is a shortcut the Unicode one agrees with.
    if (code >= 128) return text.replace(/\p{L}/gu, 'x').replace(/\p{N}/gu, '9');
    out += (code >= 65 && code <= 90) || (code >= 97 && code <= 122) ? 'x' : code >= 48 && code <= 57 ? '9' : text[i];
  }
  return out;
}

/** Names of standards that look like ids and are not (kept in masked text so that it still reads). */
const NOT_AN_ID = /^(e\.164|iso-?\d+(-\d+)?|utf-8|sha-\d+|rfc-?\d+|http\/\d(\.\d)?|v\d+(\.\d+)*)$/i;

/** How much of a text is masked: far more than any reason or answer the system writes (1,000 characters). */
export const MAX_TEXT_MASKED = 2_000;

/**
 * Free text with what looks like personal data replaced: emails, phone numbers and other long digit runs, dates,
 * UUIDs and hex ids, and ids (a token of letters and digits joined by - _ : . or @, such as c-1042 or
 * LoanApproved:l-77), each by a placeholder that keeps the sentence readable. `known` values (the message's own
 * personal values, when the text is about a known message) are replaced first, wherever they appear. Linear: only
 * the first MAX_TEXT_MASKED characters are looked at, the rest is cut.
 */
export function maskText(text: string, known: Iterable<string> = []): string {
  let out = text.length > MAX_TEXT_MASKED ? `${text.slice(0, MAX_TEXT_MASKED)}…` : text;
  // Longest first, so that a value inside another is not half-replaced; most are not in the text at all.
  const quoted = [...known].filter((v) => v.length >= 3 && out.includes(v));
  for (const value of quoted.sort((a, b) => b.length - a.length)) out = out.split(value).join('<personal>');
  return out
    .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/g, '<time>')
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '<email>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/\b\d{4}-\d{2}-\d{2}(?![\d:T])/g, '<date>')
    .replace(/\+?\d[\d ()-]{6,}\d/g, '<number>')
    .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<id>')
    .replace(/[A-Za-z0-9][\w.:@-]*[-_:.@][\w.:@-]*[A-Za-z0-9]/g, (token) =>
      /\d/.test(token) && /[A-Za-z]/.test(token) && !NOT_AN_ID.test(token) ? '<id>' : token,
    );
}

/** What masking found: the paths masked (names, for an audit) and the values taken out (to mask them in texts). */
export interface MaskSink {
  masked: string[];
  values: Set<string>;
  /** Masks another message's body (embeddedMessage); without it, the body is masked as text. */
  maskEmbedded?: (body: string) => string;
}

export const newMaskSink = (maskEmbedded?: (body: string) => string): MaskSink => ({
  masked: [],
  values: new Set(),
  ...(maskEmbedded ? { maskEmbedded } : {}),
});

/** Every string (and number) in a value, to recognise it in a text later. */
function collectValues(value: unknown, into: Set<string>): void {
  if (typeof value === 'string' && value !== '') into.add(value);
  else if (typeof value === 'number') into.add(String(value));
  else if (Array.isArray(value)) value.forEach((item) => collectValues(item, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((item) => collectValues(item, into));
}

/** A value masked as personal data, recorded in the sink. */
export function maskPersonal(value: unknown, path: string, sink: MaskSink): unknown {
  if (value === undefined || value === null) return value;
  sink.masked.push(path || '(all)');
  collectValues(value, sink.values);
  return maskValue(value);
}

/** What a walk over a zod schema reads of each node (zod 4's internal definition, which its typings leave out). */
export type SchemaDef = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string>;
  values?: unknown[];
};
export const schemaDefOf = (schema: z.ZodType): SchemaDef =>
  (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/**
 * `data` with every field the schema marks personal masked (see personal, personalText, embeddedMessage); fields the
 * schema does not know are masked by their names. A value that is not what the schema expects there (text where an
 * object belongs) is masked whole: what a contract does not describe cannot be shown as harmless.
 */
export function maskBySchema(data: unknown, schema: z.ZodType, path = '', sink: MaskSink = newMaskSink()): unknown {
  const marked = personalMarking(schema);
  if (marked === 'value') return maskPersonal(data, path, sink);
  if (marked !== undefined) {
    if (typeof data !== 'string') return maskPersonal(data, path, sink);
    sink.masked.push(path || '(all)');
    return marked === 'message' && sink.maskEmbedded ? sink.maskEmbedded(data) : maskText(data, sink.values);
  }
  const def = schemaDefOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return maskBySchema(data, def.innerType!, path, sink);
    case 'pipe':
      return maskBySchema(data, def.in!, path, sink);
    case 'object': {
      if (!data || typeof data !== 'object' || Array.isArray(data)) return maskPersonal(data, path, sink);
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
        const field = def.shape![key];
        const at = path ? `${path}.${key}` : key;
        out[key] = field ? maskBySchema(value, field, at, sink) : maskByName(value, at, sink);
      }
      return out;
    }
    case 'array':
      return Array.isArray(data)
        ? data.map((item, i) => maskBySchema(item, def.element!, `${path}[${i}]`, sink))
        : maskPersonal(data, path, sink);
    case 'record':
      return data && typeof data === 'object' && !Array.isArray(data)
        ? Object.fromEntries(
            Object.entries(data as Record<string, unknown>).map(([key, value]) => [
              key,
              maskBySchema(value, def.valueType!, `${path}.${key}`, sink),
            ]),
          )
        : maskPersonal(data, path, sink);
    default:
      // Unions and the like: the names decide.
      return maskByName(data, path, sink);
  }
}

/** For what no schema describes: fields whose names say they are personal data (isPersonalName) are masked. */
export function maskByName(data: unknown, path = '', sink: MaskSink = newMaskSink()): unknown {
  if (Array.isArray(data)) return data.map((item, i) => maskByName(item, `${path}[${i}]`, sink));
  if (!data || typeof data !== 'object') return data;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const at = path ? `${path}.${key}` : key;
    out[key] = isPersonalName(key) ? maskPersonal(value, at, sink) : maskByName(value, at, sink);
  }
  return out;
}
