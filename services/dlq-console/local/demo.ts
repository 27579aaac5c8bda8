/**
 * npm start's story for the dead-letter console: after marketing-events' demo has left a few bad events in its DLQ,
 * what the console shows of them (grouped, masked) and the commands that inspect, fix and redrive them.
 */
import type { LocalContext } from '@backbone/shared/local';
import { formatTable } from '@backbone/shared/local';
import { waitFor } from '@backbone/shared/testing';
import { openDeadLetterConsole } from '../src/composition-root';
import { rolesFrom } from '../src/domain/access';

const MARKETING_DLQ = (stage: string) => `marketing-events-${stage}-events-dlq`;

export async function demoDeadLetterConsole(
  context: LocalContext,
  env: Record<string, string | undefined>,
): Promise<string[]> {
  const console_ = openDeadLetterConsole(env);
  const actor = { name: 'demo', roles: rolesFrom(['dlq:read']) };
  const dlq = MARKETING_DLQ(context.stage);
  // The dispatcher's notices are indexed within seconds: wait until the index has all the DLQ holds.
  await waitFor(
    `the dead letters of ${dlq} in the console's index`,
    async () => {
      const queue = (await console_.queues(actor)).find((q) => q.name === dlq);
      return queue && queue.depth > 0 && queue.indexed >= queue.depth + queue.inFlight ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  ).catch(() => undefined);
  const groups = await console_.groups(actor, dlq);
  const queues = await console_.queues(actor);
  return [
    `dead-letter console: ${queues.length} DLQs found from the services' redrive policies; ${
      queues
        .filter((q) => q.depth > 0)
        .map((q) => `${q.name} holds ${q.depth}`)
        .join(', ') || 'all empty'
    }`,
    ...(groups.length > 0
      ? [
          `  ${dlq}, grouped by cause (personal data masked):`,
          ...formatTable(
            [
              ['group', 'count', 'destination', 'type', 'reason'],
              ...groups.map((g) => [g.id, String(g.count), g.destination, g.messageType, g.reason.slice(0, 90)]),
            ],
            '    ',
            [2, 3, 4],
          ),
        ]
      : []),
    `  see them:   npm run dlq -- groups ${dlq}`,
    `              npm run dlq -- messages ${dlq}`,
    `  try a fix:  npm run dlq -- redrive ${dlq} --dry-run`,
    `              DLQ_ROLES=dlq:read,dlq:edit:* npm run dlq -- fix ${dlq} <message id> --set <field>=<value>`,
  ];
}
