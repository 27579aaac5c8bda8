/**
 * snoop-scheduler from the command line (locally: npm run snoop -- <command>), with the customer step's
 * environment (see wireQueueEligibleCustomers):
 *
 *   start [--run <id>] [--wait]   open the night's run (or a run named by hand) and queue its eligible customers
 *                                 now, as the schedule does; with --wait, show its progress until it is complete
 *   status [<run id>]             the runs, newest first: queued, scored, failed, evaluations, progress
 */
import { awsClientSettings, awsEnvironmentSchema, createDocumentClient, loadConfig } from '@backbone/shared';
import { formatTable, progressBar, readCommandLine, runTool } from '@backbone/shared/local';
import { z } from 'zod';
import { listRuns, readRun } from './adapters/dynamodb-runs';
import { runComplete, type RunRecord } from './domain/nightly-run';
import { createQueueEligibleCustomersHandler } from './functions/queue-eligible-customers/handler';
import { wireQueueEligibleCustomers } from './functions/queue-eligible-customers/wiring';

/** How long --wait waits without progress before it says what may be missing. */
const STALL_MS = 60_000;

const stateOf = (run: RunRecord): string => (runComplete(run) ? 'complete' : run.queueingDone ? 'scoring' : 'queueing');

export function runTable(runs: readonly RunRecord[]): string[] {
  return formatTable([
    ['run', 'day', 'rules', 'queued', 'scored', 'failed', 'evaluations', 'progress', 'state'],
    ...runs.map((run) => [
      run.runId,
      run.on,
      run.rulesVersion?.slice(0, 12) ?? '-',
      String(run.queued),
      String(run.customersScored),
      String(run.customersFailed),
      String(run.evaluations),
      progressBar(run.customersScored + run.customersFailed, run.queued),
      stateOf(run),
    ]),
  ]);
}

const USAGE = 'usage: npm run snoop -- start [--run <id>] [--wait] | status [<run id>]';

async function main(): Promise<number> {
  const { command, values, positionals } = readCommandLine(
    process.argv.slice(2),
    { run: { type: 'string' }, wait: { type: 'boolean', default: false } },
    USAGE,
  );
  const env = loadConfig(awsEnvironmentSchema.extend({ SNOOP_RUNS_TABLE: z.string().min(3) }), process.env, 'snoop');
  const documents = createDocumentClient(awsClientSettings(env));
  switch (command) {
    case 'start': {
      const queue = createQueueEligibleCustomersHandler(wireQueueEligibleCustomers());
      const named = values.run;
      const began = Date.now();
      const outcome = await queue(named ? { runId: named } : undefined, {
        getRemainingTimeInMillis: () => 15 * 60_000,
      });
      console.log(
        `run ${outcome.runId}: ${outcome.created ? 'opened' : 'resumed'}, ${outcome.queuedNow} customers queued now ` +
          `(${outcome.queued} in all) in ${((Date.now() - began) / 1000).toFixed(1)} s`,
      );
      if (!values.wait) return 0;
      let progress = -1;
      let movedAt = Date.now();
      for (;;) {
        const run = (await readRun(documents, env.SNOOP_RUNS_TABLE, outcome.runId))!;
        const done = run.customersScored + run.customersFailed;
        if (done !== progress) [progress, movedAt] = [done, Date.now()];
        else if (Date.now() - movedAt > STALL_MS) {
          process.stdout.write('\n');
          console.error(
            `no customer of run ${outcome.runId} scored for ${STALL_MS / 1000} s: are its rule and invoke steps ` +
              'running (npm start, or npm run offline) and the rules engine up? The run goes on when they are.',
          );
          return 1;
        }
        process.stdout.write(
          `\r  ${progressBar(run.customersScored + run.customersFailed, run.queued)} ${run.evaluations} evaluations `,
        );
        if (runComplete(run)) {
          process.stdout.write('\n');
          for (const line of runTable([run])) console.log(line);
          return run.customersFailed > 0 ? 1 : 0;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    case 'status': {
      const runId = positionals[0];
      const runs = runId
        ? [await readRun(documents, env.SNOOP_RUNS_TABLE, runId)].filter((r): r is RunRecord => r !== undefined)
        : await listRuns(documents, env.SNOOP_RUNS_TABLE);
      if (runs.length === 0) {
        console.error(runId ? `no run ${runId}` : 'no run yet: npm run snoop -- start');
        return 1;
      }
      for (const line of runTable(runs)) console.log(line);
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

if (require.main === module) runTool('snoop', main);
