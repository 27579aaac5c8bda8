/**
 * Mutation testing of the unit suite (StrykerJS, stryker.config.mjs): how much of what the code does the tests
 * pin. Incremental: a second run re-tests only mutants whose code or covering tests changed.
 *   npm run mutation [-- --mutate 'shared/src/sqs/**\/*.ts']   (any stryker run option)
 * Two runs: every file with its module-level code left alone (stryker.config.mjs), then the files whose tables are
 * behaviour with their tables mutated (stryker.static.config.mjs; skipped when --mutate names files).
 * Prints a table per file; the last line is {"score":N,"mutants":N,"files":{"<file>":N,...}}. Exits non-zero when the
 * whole scores under 85 % or a file under 70 %, so it can guard a pull request when someone chooses to run it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { printTable } from '@backbone/shared/local';

const ROOT = path.resolve(__dirname, '..');
const REPORT = path.join(ROOT, '.stryker', 'report.json');
const STATIC_REPORT = path.join(ROOT, '.stryker', 'report-static.json');
/** The whole's goal, and every file's. */
export const GOAL_PERCENT = 85;
export const FILE_GOAL_PERCENT = 70;

type Status =
  'Killed' | 'Timeout' | 'Survived' | 'NoCoverage' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';

export interface Report {
  files: Record<string, { mutants: { status: Status; mutatorName: string }[] }>;
}

export interface FileScore {
  file: string;
  killed: number;
  survived: number;
  noCoverage: number;
  ignored: number;
  /** Detected (killed or timed out) per valid mutant (not ignored, not a compile or runtime error), in %. */
  score: number;
}

export function scoreFiles(report: Report): FileScore[] {
  return Object.entries(report.files)
    .map(([file, { mutants }]) => {
      const count = (...statuses: Status[]) => mutants.filter((m) => statuses.includes(m.status)).length;
      const detected = count('Killed', 'Timeout');
      const valid = detected + count('Survived', 'NoCoverage');
      return {
        file,
        killed: detected,
        survived: count('Survived'),
        noCoverage: count('NoCoverage'),
        ignored: count('Ignored'),
        score: valid === 0 ? 100 : (100 * detected) / valid,
      };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

/** Runs stryker with a config file and options; exits, saying so, when it fails. */
function stryker(configFile: string, options: readonly string[]): void {
  const run = spawnSync('npx', ['stryker', 'run', configFile, ...options], { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`stryker (${configFile}) exited with ${run.status}; see its output above.`);
    process.exit(run.status ?? 1);
  }
}

/** The first run's report, with the files of the second (their tables mutated too) in place of its own. */
export function mergeReports(first: Report, tables: Report): Report {
  return { files: { ...first.files, ...tables.files } };
}

function main(): void {
  const options = process.argv.slice(2);
  // Options naming files (--mutate) are for the first run alone: the second has its own fixed list.
  const namesFiles = options.some((option) => option.startsWith('--mutate') || option === '-m');
  stryker('stryker.config.mjs', options);
  if (!namesFiles) stryker('stryker.static.config.mjs', []);
  const first = JSON.parse(readFileSync(REPORT, 'utf8')) as Report;
  const files = scoreFiles(
    !namesFiles && existsSync(STATIC_REPORT)
      ? mergeReports(first, JSON.parse(readFileSync(STATIC_REPORT, 'utf8')) as Report)
      : first,
  );
  printTable(
    files.map((f) => ({
      file: f.file,
      'killed+timeout': String(f.killed),
      survived: String(f.survived),
      'no coverage': String(f.noCoverage),
      ignored: String(f.ignored),
      score: `${f.score.toFixed(1)} %`,
      goal: f.score >= FILE_GOAL_PERCENT ? (f.score >= GOAL_PERCENT ? 'met' : 'file goal met') : 'UNDER',
    })),
  );
  const killed = files.reduce((n, f) => n + f.killed, 0);
  const valid = files.reduce((n, f) => n + f.killed + f.survived + f.noCoverage, 0);
  const score = valid === 0 ? 100 : Number(((100 * killed) / valid).toFixed(1));
  const under = files.filter((f) => f.score < FILE_GOAL_PERCENT);
  if (under.length > 0)
    console.error(`${under.length} file(s) under ${FILE_GOAL_PERCENT} %: ${under.map((f) => f.file).join(', ')}`);
  if (score < GOAL_PERCENT) console.error(`the whole scores ${score} %, under ${GOAL_PERCENT} %`);
  console.log(
    JSON.stringify({
      score,
      mutants: valid,
      files: Object.fromEntries(files.map((f) => [f.file, Number(f.score.toFixed(1))])),
    }),
  );
  if (under.length > 0 || score < GOAL_PERCENT) process.exitCode = 1;
}

if (require.main === module) main();
