/**
 * "serverless package" for every Serverless service, offline: proves each serverless.yml
 * builds a deployable artifact without an AWS account or a login.
 *   npm run package:all [-- --stage dev]
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { printTable } from './cloud';
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

export async function packageService(name: string, stage: string): Promise<PackagedService> {
  const cwd = path.join(SERVICES_DIR, name);
  const began = Date.now();
  try {
    await run(SERVERLESS_BIN, ['package', '--stage', stage], {
      cwd,
      // Its own work folder: never the build a running serverless-offline of this service executes.
      env: { ...frameworkEnvironment(), SLS_ESBUILD_WORK_FOLDER: '.esbuild-package' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const detail = (error as { stderr?: string; stdout?: string }).stderr ?? '';
    throw new Error(`"serverless package" failed for services/${name}:\n${detail.slice(-2000)}`);
  }
  const dir = path.join(cwd, '.serverless');
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

async function main(): Promise<void> {
  const stageIndex = process.argv.indexOf('--stage');
  const stage = stageIndex > 0 ? (process.argv[stageIndex + 1] ?? 'dev') : 'dev';
  const rows = [];
  // Container services are built from their Dockerfile, not by the Serverless Framework.
  for (const { name } of serverlessServices(discoverServices())) {
    const packaged = await packageService(name, stage);
    rows.push({
      service: name,
      seconds: packaged.seconds.toFixed(1),
      artifact: packaged.artifactBytes ? `${(packaged.artifactBytes / 1024).toFixed(0)} KiB` : '(no functions)',
      template: path.relative(process.cwd(), packaged.templatePath),
    });
  }
  printTable(rows);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
