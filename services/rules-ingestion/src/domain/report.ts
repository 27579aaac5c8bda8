import type { ValidationError } from './rule-set';

/** How every entry point (HTTP, CLI) reports invalid definitions: each problem, and that nothing was written. */
export const invalidDefinitions = (errors: readonly ValidationError[]) => ({
  message: `${errors.length} problem(s) in the snoop definitions; nothing was written. Fix them and try again.`,
  errors,
});
