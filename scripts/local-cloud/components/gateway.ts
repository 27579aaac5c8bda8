import path from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { createDynamoDbClient, createS3Client, createSqsClient } from '@backbone/shared';
import { HOST, PORTS, REPO_ROOT, SCRIPTS_DIR } from '../layout';
import type { Component } from './component';
import { localAws, withClient } from './install';

export const gateway: Component = {
  name: 'gateway',
  port: PORTS.gateway,
  what: 'AWS API gateway: one endpoint for SQS, DynamoDB, S3, Secrets Manager, SSM, CloudWatch Logs, Cognito',
  startTimeoutMs: 20_000,
  async install() {},
  launch() {
    return {
      command: process.execPath,
      cwd: REPO_ROOT,
      args: ['--import', 'tsx', path.join(SCRIPTS_DIR, 'gateway.ts')],
    };
  },
  async probe() {
    const aws = localAws(`http://${HOST}:${PORTS.gateway}`);
    await Promise.all([
      withClient(createSqsClient(aws), (sqs) => sqs.send(new ListQueuesCommand({}))),
      withClient(createDynamoDbClient(aws), (dynamodb) => dynamodb.send(new ListTablesCommand({}))),
      withClient(createS3Client(aws), (s3) => s3.send(new ListBucketsCommand({}))),
    ]);
  },
};
