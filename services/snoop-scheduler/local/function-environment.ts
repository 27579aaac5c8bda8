import type { LocalContext } from '@backbone/shared/local';

/** The customer step's environment for the local stage (tables, queue, customer store): the CLI's and the demo's. */
export async function functionEnvironment(context: LocalContext): Promise<Record<string, string | undefined>> {
  const resolved = await context.serverless();
  return { ...context.env, ...(resolved.functions['queueEligibleCustomers']?.environment ?? {}) };
}
