/**
 * How many cases a property test tries: its own number, scaled by PROPERTY_RUNS_SCALE (default 1). Mutation
 * testing (scripts/testing/jest.mutation.config.ts) runs the covering tests once per mutant and scales them down;
 * `npm test` always runs them in full.
 */
export function propertyRuns(full: number): number {
  const scale = Number(process.env.PROPERTY_RUNS_SCALE ?? '1');
  return Number.isFinite(scale) && scale > 0 ? Math.max(20, Math.round(full * scale)) : full;
}
