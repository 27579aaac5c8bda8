/**
 * The seed catalogue alone (57 snoops in the stored JSON form), without the rest of the face: benchmarks bundle
 * this, and nothing of the service's database or AWS clients comes with it.
 */
import type { StoredDefinitionRow } from '../src/adapters/postgres';
import catalogue from '../seed/snoop-catalogue.json';

export const seedCatalogue = (): StoredDefinitionRow[] =>
  structuredClone(catalogue as unknown as StoredDefinitionRow[]);
