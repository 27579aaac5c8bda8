import { z } from 'zod';
import { ConfigurationError } from '../errors';
import { fieldProblems } from '../validation';

/**
 * Validates configuration once, at cold start, and reports every problem at once
 * (not the first one), naming each variable and what it must be.
 */
export function loadConfig<TSchema extends z.ZodType>(
  schema: TSchema,
  env: Record<string, string | undefined> = process.env,
  context = 'service',
): z.output<TSchema> {
  // An empty string means "not set": serverless params resolve unset values to ''.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = fieldProblems(result.error.issues, '', '(environment)').map(
    (problem) => `  - ${problem.field}: ${problem.message}`,
  );
  throw new ConfigurationError(
    `invalid configuration for ${context}:\n${problems.join('\n')}\n` +
      `Set these environment variables (serverless.yml "environment", or your shell for scripts).`,
  );
}

/** Comma-separated list, e.g. CASSANDRA_CONTACT_POINTS=10.0.0.1:9042,10.0.0.2:9042 */
export const commaSeparated = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().min(1)).min(1));
