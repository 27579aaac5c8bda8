import path from 'node:path';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '@backbone/shared';
import { HOST, PORTS } from '../layout';
import type { Component } from './component';
import { componentDir, installPythonVenv, localAws, withClient } from './install';

export const moto: Component = {
  name: 'moto',
  port: PORTS.moto,
  what: 'moto 5.2.5 (S3, Secrets Manager, SSM)',
  startTimeoutMs: 30_000,
  async install() {
    await installPythonVenv('moto', 'requirements-moto.txt', 'moto');
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
