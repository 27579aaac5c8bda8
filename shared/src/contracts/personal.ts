/**
 * Which fields of a contract are personal data, said by the contract itself: a schema marked with `personal()`. The
 * dead-letter console masks what a contract marks whenever it shows, exports or logs a message; producers and
 * consumers are unchanged (the mark is metadata, not validation).
 */
import { z } from 'zod';

const PERSONAL = { personal: true } as const;

/** Marks a field's schema as personal data (emails, phone numbers, names, dates of birth). */
export const personal = <T extends z.ZodType>(schema: T): T => schema.meta(PERSONAL);

const isPersonal = (schema: z.ZodType): boolean => z.globalRegistry.get(schema)?.['personal'] === true;

/** Field names that are personal data wherever they appear, for a message no contract describes. */
const PERSONAL_NAMES =
  /^(e-?mail|email_?address|phone|phone_?number|mobile|first_?name|last_?name|full_?name|name|date_?of_?birth|dob|address|postcode|zip)$/i;

/**
 * A value with its personal content taken out but its shape kept, so that an operator sees what is wrong with it
 * (a phone number without its country code, an email without an @) without seeing whose it is: letters become x,
 * digits 9, anything else stays.
 */
export function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\p{L}/gu, 'x').replace(/\p{N}/gu, '9');
  if (typeof value === 'number') return 9;
  if (Array.isArray(value)) return value.map(maskValue);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, maskValue(inner)]));
  return value;
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
};
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** `data` with every field the schema marks personal masked, and the paths masked (for an audit: names, not values). */
export function maskBySchema(data: unknown, schema: z.ZodType, path = '', masked: string[] = []): unknown {
  if (isPersonal(schema)) {
    if (data !== undefined && data !== null) masked.push(path || '(all)');
    return data === undefined || data === null ? data : maskValue(data);
  }
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return maskBySchema(data, def.innerType!, path, masked);
    case 'pipe':
      return maskBySchema(data, def.in!, path, masked);
    case 'object': {
      if (!data || typeof data !== 'object' || Array.isArray(data)) return maskByName(data, path, masked);
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
        const field = def.shape![key];
        const at = path ? `${path}.${key}` : key;
        out[key] = field ? maskBySchema(value, field, at, masked) : maskByName(value, at, masked);
      }
      return out;
    }
    case 'array':
      return Array.isArray(data)
        ? data.map((item, i) => maskBySchema(item, def.element!, `${path}[${i}]`, masked))
        : data;
    case 'record':
      return data && typeof data === 'object'
        ? Object.fromEntries(
            Object.entries(data as Record<string, unknown>).map(([key, value]) => [
              key,
              maskBySchema(value, def.valueType!, `${path}.${key}`, masked),
            ]),
          )
        : data;
    default:
      // Unions and the like: the names decide.
      return maskByName(data, path, masked);
  }
}

/** For what no schema describes: fields whose names say they are personal data are masked. */
export function maskByName(data: unknown, path = '', masked: string[] = []): unknown {
  if (Array.isArray(data)) return data.map((item, i) => maskByName(item, `${path}[${i}]`, masked));
  if (!data || typeof data !== 'object') return data;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const at = path ? `${path}.${key}` : key;
    if (PERSONAL_NAMES.test(key) && value !== null && value !== undefined) {
      masked.push(at);
      out[key] = maskValue(value);
    } else out[key] = maskByName(value, at, masked);
  }
  return out;
}
