/**
 * "serverless package" for every Serverless service, offline: proves each serverless.yml
 * builds a deployable artifact without an AWS account or a login, and that its CloudFormation
 * passes cfn-lint (installed from PyPI on first use). Exits non-zero on any finding.
 *   npm run package:all [-- --stage dev]
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { printTable, readCommandLine } from '@backbone/shared/local';
import { installPythonVenv } from './local-cloud/components/install';
import {
  discoverServices,
  frameworkEnvironment,
  SERVERLESS_BIN,
  SERVICES_DIR,
  serverlessServices,
} from './local-cloud/services';

const run = promisify(execFile);

export interface PackagedService {
  service: string;
  seconds: number;
  artifactBytes: number;
  templatePath: string;
}

/**
 * `folders` apart from the defaults let two packagings of a service run at once (the IAM check packages the local
 * stage while the build tests package the ci stage): each its own output and esbuild work folder.
 */
export async function packageService(
  name: string,
  stage: string,
  folders: { output: string; esbuild: string } = { output: '.serverless', esbuild: '.esbuild-package' },
): Promise<PackagedService> {
  const cwd = path.join(SERVICES_DIR, name);
  const began = Date.now();
  try {
    await run(SERVERLESS_BIN, ['package', '--stage', stage, '--package', folders.output], {
      cwd,
      // Its own work folder: never the build a running serverless-offline of this service executes.
      env: { ...frameworkEnvironment(), SLS_ESBUILD_WORK_FOLDER: folders.esbuild },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const detail = (error as { stderr?: string; stdout?: string }).stderr ?? '';
    throw new Error(`"serverless package" failed for services/${name}:\n${detail.slice(-2000)}`);
  }
  const dir = path.join(cwd, folders.output);
  let artifactBytes = 0;
  try {
    artifactBytes = statSync(path.join(dir, `${name}.zip`)).size;
  } catch {
    // a service without functions has no code artifact
  }
  return {
    service: name,
    seconds: (Date.now() - began) / 1000,
    artifactBytes,
    templatePath: path.join(dir, 'cloudformation-template-update-stack.json'),
  };
}

export interface LintFinding {
  rule: string;
  message: string;
  location: string;
}

/**
 * cfn-lint's findings on a packaged template (errors and warnings; informational ones are not findings).
 * The Serverless Framework deploys to one region per stage; the default is checked.
 */
export async function lintTemplate(templatePath: string, region = 'eu-west-1'): Promise<LintFinding[]> {
  const bin = await installPythonVenv('cfn-lint', 'requirements-cfn-lint.txt', 'cfn-lint');
  const result = await run(path.join(bin, 'cfn-lint'), ['--format', 'json', '--regions', region, '--', templatePath], {
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { code?: number; stdout?: string; stderr?: string; message?: string }) => {
    // cfn-lint exits 2 (errors), 4 (warnings) or 6 (both) with findings as JSON; anything else is a failure to run.
    if (error.code !== undefined && [2, 4, 6, 8, 10, 12, 14].includes(error.code) && error.stdout)
      return { stdout: error.stdout };
    throw new Error(`cfn-lint could not check ${templatePath}: ${error.stderr || error.message || 'no output'}`);
  });
  const findings = JSON.parse(result.stdout || '[]') as {
    Rule: { Id: string };
    Message: string;
    Level: string;
    Location: { Path?: (string | number)[]; Start: { LineNumber: number } };
  }[];
  return findings
    .filter((finding) => finding.Level !== 'Informational')
    .map((finding) => ({
      rule: finding.Rule.Id,
      message: finding.Message,
      location: finding.Location.Path?.join('/') ?? `line ${finding.Location.Start.LineNumber}`,
    }));
}

async function main(): Promise<void> {
  const { values } = readCommandLine(
    ['package', ...process.argv.slice(2)],
    { stage: { type: 'string', default: 'dev' } },
    'usage: npm run package:all [-- --stage <stage>]',
  );
  const stage = values.stage;
  const rows = [];
  // Container services are built from their Dockerfile, not by the Serverless Framework.
  for (const { name } of serverlessServices(discoverServices())) {
    const packaged = await packageService(name, stage);
    const findings = await lintTemplate(packaged.templatePath);
    for (const finding of findings)
      console.error(`  ${name}: ${finding.rule} ${finding.message} (${finding.location})`);
    rows.push({
      service: name,
      seconds: packaged.seconds.toFixed(1),
      artifact: packaged.artifactBytes ? `${(packaged.artifactBytes / 1024).toFixed(0)} KiB` : '(no functions)',
      'cfn-lint': findings.length === 0 ? 'clean' : `${findings.length} finding(s)`,
      template: path.relative(process.cwd(), packaged.templatePath),
    });
  }
  printTable(rows);
  if (rows.some((row) => row['cfn-lint'] !== 'clean')) process.exit(1);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
