/**
 * Mutation testing of the unit suite (StrykerJS, stryker.config.mjs): how much of what the code does the tests
 * pin. Incremental: a second run re-tests only mutants whose code or covering tests changed.
 *   npm run mutation [-- --chunk <part>] [-- --mutate 'shared/src/sqs/**\/*.ts']   (and any stryker run option)
 * The scope runs in parts, one after another, each with its own incremental file and report (a part per service, the
 * shared library, the rules language; stryker.config.mjs), then the files whose tables are behaviour with their
 * tables mutated (the part "tables": stryker.static.config.mjs). A part finished is kept if a later one is stopped,
 * and `--chunk` runs chosen parts: the whole scope takes hours on two cores, so it can be done over several sittings.
 * The figure counts every part's latest report (their dates are printed). `--mutate` runs just those files, once.
 * Prints a table per file; the last line is {"score":N,"mutants":N,"files":{"<file>":N,...}}. Exits non-zero when the
 * whole scores under 85 % or a file under 70 %, so it can guard a pull request when someone chooses to run it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { printTable } from '@backbone/shared/local';

const ROOT = path.resolve(__dirname, '..');
const REPORT = path.join(ROOT, '.stryker', 'report.json');
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
function stryker(configFile: string, options: readonly string[], env: Record<string, string> = {}): void {
  const run = spawnSync('npx', ['stryker', 'run', configFile, ...options], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (run.status !== 0) {
    console.error(`stryker (${configFile}) exited with ${run.status}; see its output above.`);
    process.exit(run.status ?? 1);
  }
}

/** The first run's report, with the files of the second (their tables mutated too) in place of its own. */
export function mergeReports(first: Report, tables: Report): Report {
  return { files: { ...first.files, ...tables.files } };
}

/** The chunk that mutates the files the tables run takes whole, with their tables. */
export const TABLES_CHUNK = 'tables';

/**
 * The scope in parts: one per service, one for the shared library, one for the rules language. A pattern over every
 * service (`services/*\/...`) becomes one per service; exclusions (`!...`) apply to every part.
 */
export function chunksOf(patterns: readonly string[], services: readonly string[]): Map<string, string[]> {
  const chunks = new Map<string, string[]>();
  const add = (chunk: string, pattern: string) => chunks.set(chunk, [...(chunks.get(chunk) ?? []), pattern]);
  for (const pattern of patterns.filter((p) => !p.startsWith('!'))) {
    const [top, second] = pattern.split('/');
    if (top === 'services' && second === '*')
      for (const service of services) add(service, pattern.replace('services/*/', `services/${service}/`));
    else add(top === 'services' || top === 'packages' ? second! : top!, pattern);
  }
  const exclusions = patterns.filter((p) => p.startsWith('!'));
  for (const [chunk, included] of chunks) chunks.set(chunk, [...included, ...exclusions]);
  return chunks;
}

/** Where a part's files live: a part's report may also hold files of others (from an older, wider run). */
export const ownPrefixOf = (chunk: string, services: readonly string[]): string =>
  services.includes(chunk) ? `services/${chunk}/` : chunk === 'shared' ? 'shared/' : `packages/${chunk}/`;

/** Only the files of the part's own folder. */
export const ownFiles = (report: Report, prefix: string): Report['files'] =>
  Object.fromEntries(Object.entries(report.files).filter(([file]) => file.startsWith(prefix)));

const reportOf = (chunk: string): string =>
  path.join(ROOT, '.stryker', chunk === TABLES_CHUNK ? 'report-static.json' : `report-${chunk}.json`);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // --chunk <name> (repeatable) runs those parts only; the figure still counts every part's latest report.
  const only = args.flatMap((arg, i) => (arg === '--chunk' && args[i + 1] ? [args[i + 1]!] : []));
  const options = args.filter((arg, i) => arg !== '--chunk' && args[i - 1] !== '--chunk');
  let report: Report;
  if (options.some((option) => option.startsWith('--mutate') || option === '-m')) {
    // Files named on the command line: one run of them, as stryker itself would.
    stryker('stryker.config.mjs', options);
    report = JSON.parse(readFileSync(REPORT, 'utf8')) as Report;
  } else {
    const config = (await import(pathToFileURL(path.join(ROOT, 'stryker.config.mjs')).href)) as {
      default: { mutate: string[] };
    };
    const services = readdirSync(path.join(ROOT, 'services'));
    const chunks = chunksOf(config.default.mutate, services);
    const names = [...chunks.keys(), TABLES_CHUNK];
    const unknown = only.filter((name) => !names.includes(name));
    if (unknown.length > 0) throw new Error(`no part named ${unknown.join(', ')}; the parts: ${names.join(', ')}`);
    const toRun = only.length > 0 ? only : names;
    toRun.forEach((name, i) => {
      console.error(`\nmutation: part ${i + 1} of ${toRun.length}: ${name}`);
      if (name === TABLES_CHUNK) stryker('stryker.static.config.mjs', options);
      else
        stryker('stryker.config.mjs', [...options, '--mutate', chunks.get(name)!.join(',')], { MUTATION_CHUNK: name });
    });
    const missing = names.filter((name) => !existsSync(reportOf(name)));
    if (missing.length > 0)
      console.error(`no report yet for ${missing.join(', ')}: run them (npm run mutation -- --chunk <name>)`);
    const reports = names.filter((name) => !missing.includes(name));
    console.error(
      `counted: ${reports.map((name) => `${name} (${statSync(reportOf(name)).mtime.toISOString().slice(0, 16)})`).join(', ')}`,
    );
    const parts = reports
      .filter((name) => name !== TABLES_CHUNK)
      .map((name) => ownFiles(readReport(reportOf(name)), ownPrefixOf(name, services)));
    const merged: Report = { files: Object.assign({}, ...parts) as Report['files'] };
    report = reports.includes(TABLES_CHUNK) ? mergeReports(merged, readReport(reportOf(TABLES_CHUNK))) : merged;
  }
  const files = scoreFiles(report);
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

const readReport = (file: string): Report => JSON.parse(readFileSync(file, 'utf8')) as Report;

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(`mutation: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
