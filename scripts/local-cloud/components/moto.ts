import { rmSync } from 'node:fs';
import path from 'node:path';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '@backbone/shared';
import { HOST, PORTS, SCRIPTS_DIR } from '../layout';
import { ensurePythonVenv } from '../prerequisites';
import { InstallError, type Component } from './component';
import { componentDir, installStamp, localAws, runCommand, withClient } from './install';

export const moto: Component = {
  name: 'moto',
  port: PORTS.moto,
  what: 'moto 5.2.5 (S3, Secrets Manager, SSM)',
  startTimeoutMs: 30_000,
  async install() {
    const dir = componentDir('moto');
    const venv = path.join(dir, 'venv');
    const requirements = path.join(SCRIPTS_DIR, 'conf', 'requirements-moto.txt');
    const stamp = installStamp(path.join(venv, '.installed'), requirements);
    if (stamp.current) return;
    ensurePythonVenv();
    console.log('  installing moto into a virtualenv from PyPI (first run only) ...');
    // A virtualenv cannot be moved, so it is built in place and only the stamp marks it complete.
    rmSync(venv, { recursive: true, force: true });
    const steps: [string, string[]][] = [
      ['python3', ['-m', 'venv', venv]],
      [path.join(venv, 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', '-r', requirements]],
    ];
    for (const [command, args] of steps) {
      const result = await runCommand(command, args);
      if (result.status !== 0) {
        rmSync(venv, { recursive: true, force: true });
        throw new InstallError(
          `installing moto failed (${path.basename(command)} exit ${result.status}); nothing was installed.\n` +
            `${result.output.split('\n').slice(-6).join('\n')}\nCheck that PyPI is reachable, then run "npm run cloud:up" again.`,
        );
      }
    }
    stamp.write();
  },
  launch() {
    const dir = componentDir('moto');
    return { command: path.join(dir, 'venv', 'bin', 'moto_server'), args: ['-H', HOST, '-p', String(PORTS.moto)] };
  },
  async probe() {
    await withClient(createS3Client(localAws(`http://${HOST}:${PORTS.moto}`)), (s3) =>
      s3.send(new ListBucketsCommand({})),
    );
  },
};
