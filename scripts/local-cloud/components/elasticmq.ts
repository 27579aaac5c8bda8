import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '@backbone/shared';
import { HOST, PORTS } from '../layout';
import type { Component } from './component';
import { componentDir, installMavenRuntime, localAws, withClient } from './install';

export const elasticmq: Component = {
  name: 'elasticmq',
  port: PORTS.elasticmq,
  installsWithMaven: true,
  what: 'ElasticMQ 1.7.1 (SQS: standard, FIFO, redrive)',
  startTimeoutMs: 60_000,
  async install() {
    await installMavenRuntime('elasticmq', 'ElasticMQ 1.7.1 (about 40 MB)');
  },
  async prepare() {
    const dir = componentDir('elasticmq');
    // Queue URLs name the gateway, so every SQS call (the SDK uses the queue URL as its endpoint) goes through it.
    writeFileSync(
      path.join(dir, 'elasticmq.conf'),
      [
        'include classpath("application.conf")',
        `node-address { protocol = http, host = "${HOST}", port = ${PORTS.gateway}, context-path = "" }`,
        `rest-sqs { enabled = true, bind-port = ${PORTS.elasticmq}, bind-hostname = "${HOST}", sqs-limits = strict }`,
        'rest-stats { enabled = false }',
        'aws { region = eu-west-1, accountId = "000000000000" }',
        '',
      ].join('\n'),
    );
  },
  launch() {
    const dir = componentDir('elasticmq');
    return {
      command: 'java',
      cwd: dir,
      args: [
        '-Xms64m',
        '-Xmx384m',
        `-Dconfig.file=${path.join(dir, 'elasticmq.conf')}`,
        '-cp',
        path.join(dir, 'lib', '*'),
        'org.elasticmq.server.Main',
      ],
    };
  },
  async probe() {
    await withClient(createSqsClient(localAws(`http://${HOST}:${PORTS.elasticmq}`)), (sqs) =>
      sqs.send(new ListQueuesCommand({})),
    );
  },
};
