import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '@backbone/shared';
import { HOST, PORTS, SCRIPTS_DIR } from '../layout';
import type { Component } from './component';
import { componentDir, installMavenRuntime, installStamp, localAws, withClient } from './install';

export const dynamodbLocal: Component = {
  name: 'dynamodb',
  port: PORTS.dynamodb,
  installsWithMaven: true,
  what: 'DynamoDB Local 2.6.1 (in memory)',
  startTimeoutMs: 60_000,
  async install() {
    await installMavenRuntime('dynamodb', 'DynamoDB Local 2.6.1 (about 50 MB)');
    const dir = componentDir('dynamodb');
    const source = path.join(SCRIPTS_DIR, 'java', 'LoopbackDynamoDBLocal.java');
    const classes = path.join(dir, 'launcher');
    if (installStamp(path.join(classes, '.installed'), source).current) return;
    rmSync(classes, { recursive: true, force: true });
    mkdirSync(classes, { recursive: true });
    execFileSync('javac', ['-cp', path.join(dir, 'lib', '*'), '-d', classes, source], { stdio: 'inherit' });
    installStamp(path.join(classes, '.installed'), source).write();
  },
  launch() {
    const dir = componentDir('dynamodb');
    return {
      command: 'java',
      cwd: dir,
      args: [
        '-Xms64m',
        '-Xmx512m',
        `-Djava.library.path=${path.join(dir, 'lib')}`,
        '-cp',
        `${path.join(dir, 'launcher')}:${path.join(dir, 'lib', '*')}`,
        'LoopbackDynamoDBLocal',
        HOST,
        String(PORTS.dynamodb),
        '-inMemory',
      ],
    };
  },
  async probe() {
    await withClient(createDynamoDbClient(localAws(`http://${HOST}:${PORTS.dynamodb}`)), (dynamodb) =>
      dynamodb.send(new ListTablesCommand({})),
    );
  },
};
