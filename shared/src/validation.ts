import type { z } from 'zod';

/** One schema problem, named by the dotted path of the field it is about. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Zod's issues as field problems; `prefix` names the root (`data`, `condition`), `root` is shown for the root itself. */
export function fieldProblems(issues: readonly z.core.$ZodIssue[], prefix = '', root = '(root)'): FieldProblem[] {
  return issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || root,
    message: issue.message,
  }));
}

/** Zod's issues on one line: `field: message; field: message`. */
export const formatIssues = (issues: readonly z.core.$ZodIssue[], prefix = ''): string =>
  fieldProblems(issues, prefix)
    .map((problem) => `${problem.field}: ${problem.message}`)
    .join('; ');
