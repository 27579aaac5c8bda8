import { HeadObjectCommand, NotFound, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import type { RuleSetPublished } from '@backbone/snoop-scheduler/contracts';
import type { RuleSetFiles } from '../domain/rule-set';

export const ruleSetKey = (version: string): string => `rules/${version}.snoop`;
export const LATEST_KEY = 'rules/latest.json';

export function createS3RuleSetFiles(s3: S3Client, bucket: string): RuleSetFiles {
  return {
    locationOf: (version) => ({ bucket, key: ruleSetKey(version) }),
    async write(version, text, checksumSha256) {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: ruleSetKey(version),
            Body: text,
            ContentType: 'text/plain; charset=utf-8',
            ChecksumSHA256: Buffer.from(checksumSha256, 'hex').toString('base64'),
            // A version is its content: never overwrite one that exists.
            IfNoneMatch: '*',
          }),
        );
      } catch (error) {
        if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412) return;
        throw error;
      }
    },
    async exists(version) {
      try {
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: ruleSetKey(version) }));
        return true;
      } catch (error) {
        if (error instanceof NotFound) return false;
        throw error;
      }
    },
    async pointLatestTo(published: RuleSetPublished) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: LATEST_KEY,
          Body: JSON.stringify(published, null, 2),
          ContentType: 'application/json',
        }),
      );
    },
  };
}
