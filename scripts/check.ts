/**
 * npm run check — every check that needs no local cloud: lint (code, Dockerfile, workflows), formatting, types, and
 * the unit and build tests. Two lanes at once, as two cores allow: the static checks one after another, beside the
 * tests (whose build test mostly waits on `serverless package`, cfn-lint and a local CloudFormation). Each step's
 * output is shown whole when it ends (never interleaved with another's), then a table of the steps with their times.
 * Exits non-zero when any step fails, naming it.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { printTable } from '@backbone/shared/local';

const ROOT = path.resolve(__dirname, '..');

interface Step {
  name: string;
  command: string[];
}

interface Outcome {
  step: string;
  status: number;
  seconds: number;
}

/** The static checks: quick, one CPU each, run in this order (the cheapest finding first). */
const STATIC_CHECKS: Step[] = [
  { name: 'lint', command: ['npm', 'run', '--silent', 'lint'] },
  { name: 'lint:docker', command: ['npm', 'run', '--silent', 'lint:docker'] },
  { name: 'lint:workflows', command: ['npm', 'run', '--silent', 'lint:workflows'] },
  { name: 'format:check', command: ['npm', 'run', '--silent', 'format:check'] },
  { name: 'typecheck', command: ['npm', 'run', '--silent', 'typecheck'] },
];

/**
 * The unit and build tests, at least two Jest workers: Jest's default on two cores is one, which would run the build
 * test (minutes of waiting on child processes) and every unit test one after the other.
 */
const TESTS: Step = {
  name: 'test:unit',
  command: [
    'npx',
    'jest',
    '--selectProjects',
    'unit',
    'build',
    `--maxWorkers=${Math.max(2, availableParallelism() - 1)}`,
  ],
};

function runStep(step: Step): Promise<Outcome> {
  const began = Date.now();
  return new Promise((resolve) => {
    const [command, ...args] = step.command;
    const child = spawn(command!, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const finish = (status: number) => {
      const seconds = Math.round((Date.now() - began) / 1000);
      console.log(`---- ${step.name}: ${status === 0 ? 'passed' : 'FAILED'} in ${seconds} s ----`);
      if (output.trim() !== '') console.log(output.trimEnd());
      resolve({ step: step.name, status, seconds });
    };
    child.on('error', (error) => {
      output += `${error.message}\n`;
      finish(1);
    });
    child.on('close', (status) => finish(status ?? 1));
  });
}

async function inSequence(steps: readonly Step[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const step of steps) outcomes.push(await runStep(step));
  return outcomes;
}

async function main(): Promise<number> {
  const began = Date.now();
  console.log(`npm run check: ${STATIC_CHECKS.map((s) => s.name).join(', ')}, beside ${TESTS.name} ...`);
  const [statics, tests] = await Promise.all([inSequence(STATIC_CHECKS), runStep(TESTS)]);
  const outcomes = [...statics, tests];
  printTable(
    outcomes.map((o) => ({ step: o.step, outcome: o.status === 0 ? 'passed' : 'FAILED', seconds: String(o.seconds) })),
  );
  const failed = outcomes.filter((o) => o.status !== 0);
  const seconds = Math.round((Date.now() - began) / 1000);
  if (failed.length > 0) {
    console.error(`npm run check: ${failed.map((o) => o.step).join(', ')} FAILED (${seconds} s); see above.`);
    return 1;
  }
  console.log(`npm run check: every check passed in ${seconds} s`);
  return 0;
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    console.error(`npm run check: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
