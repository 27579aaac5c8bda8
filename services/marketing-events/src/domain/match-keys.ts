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

/** The match keys of Meta's user_data fields (fn and ln are both "name"). */
export function metaMatchKeys(fields: readonly string[]): MatchKey[] {
  const keys = new Set<MatchKey>();
  for (const field of fields) {
    const key = META_FIELDS[field];
    if (key) keys.add(key);
  }
  return [...keys];
}
