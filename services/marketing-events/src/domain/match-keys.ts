/**
 * The identifiers a platform can match a conversion to a person with. The share of events sent with each, per
 * platform and event type, is what an advertiser watches as Meta's event match quality: an identifier left out (or
 * never collected) shows here first.
 */
export const MATCH_KEYS = ['email', 'phone', 'name', 'dateOfBirth', 'country', 'externalId'] as const;
export type MatchKey = (typeof MATCH_KEYS)[number];

const META_FIELDS: Record<string, MatchKey> = {
  em: 'email',
  ph: 'phone',
  fn: 'name',
  ln: 'name',
  db: 'dateOfBirth',
  country: 'country',
  external_id: 'externalId',
};

// Each combination of keys once: counted for every delivered event, so no set or array is built per event.
const combinations = new Map<number, readonly MatchKey[]>();

/** The match keys present, by bit (1 << index in MATCH_KEYS), as one shared list per combination. */
export function matchKeysOf(bits: number): readonly MatchKey[] {
  let keys = combinations.get(bits);
  if (!keys) {
    keys = MATCH_KEYS.filter((_, i) => (bits & (1 << i)) !== 0);
    combinations.set(bits, keys);
  }
  return keys;
}

export const matchKeyBit = (key: MatchKey): number => 1 << MATCH_KEYS.indexOf(key);

const META_BITS: Record<string, number> = Object.fromEntries(
  Object.entries(META_FIELDS).map(([field, key]) => [field, matchKeyBit(key)]),
);

/** The match keys of Meta's user_data fields (fn and ln are both "name"). */
export function metaMatchKeys(userData: object): readonly MatchKey[] {
  let bits = 0;
  for (const field in userData) bits |= META_BITS[field] ?? 0;
  return matchKeysOf(bits);
}
