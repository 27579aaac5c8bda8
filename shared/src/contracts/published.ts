/**
 * What a service publishes for the world outside its code, as data: the queues it owns and takes messages on, the
 * queues of others it sends to, and its HTTP API. `npm run contracts` turns each service's description into a JSON
 * Schema per message, an AsyncAPI document for its queues and an OpenAPI document for its API, written beside its
 * contracts and checked by the tests to be current.
 */
import type { z } from 'zod';
import type { MessageContract } from './envelope';

// A contract of any type and data: the catalogue only reads its type, version and schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMessageContract = MessageContract<string, any, any>;

export interface PublishedQueue {
  /**
   * The queue's name in a stage: `<owner>-<stage>-<name>`, `.fifo` included for a FIFO queue (`customer-rules.fifo`).
   */
  name: string;
  /** The service that owns the queue; another service's queue is one this service sends to. */
  owner: string;
  /** `receive`: the service takes these messages from its queue; `send`: it sends them to the owner's queue. */
  action: 'receive' | 'send';
  summary: string;
  messages: readonly AnyMessageContract[];
}

export interface HttpOperation {
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI's path template: `/devices/{deviceId}/signup-checks`. */
  path: string;
  summary: string;
  /** How callers authenticate: AWS SigV4 (an AWS_IAM endpoint), a Cognito user pool's ID token, a shared secret. */
  security: 'aws-iam' | 'cognito' | 'bearer-secret' | 'none';
  request?: z.ZodType;
  /** Query parameters, by name, each with what it means. */
  query?: Record<string, string>;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

export interface PublishedContracts {
  service: string;
  summary: string;
  queues: readonly PublishedQueue[];
  /** `version`: the API's semantic version, as its CHANGELOG lists it (1.0.0 unless said). */
  http?: { title: string; version?: string; summary: string; operations: readonly HttpOperation[] };
}
