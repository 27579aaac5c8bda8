import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * A queue's name from its URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`, the local cloud's
 * `http://127.0.0.1:4566/000000000000/<name>`), its ARN (`arn:aws:sqs:<region>:<account>:<name>`, as a Lambda
 * event names its source) or its name itself.
 */
export function queueNameOf(urlOrArnOrName: string): string {
  const last = urlOrArnOrName.slice(Math.max(urlOrArnOrName.lastIndexOf('/'), urlOrArnOrName.lastIndexOf(':')) + 1);
  return decodeURIComponent(last);
}

/**
 * Resolves queue names to URLs once per container.
 *
 * serverless.yml passes queue *names* (plain strings, known before deploy) rather
 * than CloudFormation Refs: names work the same in AWS, in serverless-offline
 * (which cannot resolve Refs) and against any emulator.
 */
export class QueueUrlResolver {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(private readonly sqs: SQSClient) {}

  resolve(queueName: string): Promise<string> {
    let url = this.cache.get(queueName);
    if (!url) {
      url = this.sqs
        .send(new GetQueueUrlCommand({ QueueName: queueName }))
        .then((out) => {
          if (!out.QueueUrl) throw new Error(`GetQueueUrl returned no URL for queue "${queueName}"`);
          return out.QueueUrl;
        })
        .catch((error: unknown) => {
          this.cache.delete(queueName);
          throw new Error(
            `queue "${queueName}" cannot be resolved (${error instanceof Error ? error.message : String(error)}). ` +
              `Is it deployed? Locally run "npm run provision".`,
            { cause: error },
          );
        });
      this.cache.set(queueName, url);
    }
    return url;
  }
}
