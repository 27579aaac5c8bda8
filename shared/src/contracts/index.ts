/**
 * The platform's contracts: the envelope every message travels in, the personal-data marks, and the dead-letter
 * notice the SQS consumer sends. Each service publishes its own messages' contracts (services/<name>/contracts).
 */
export * from './envelope';
export * from './dead-letters';
export * from './personal';
export * from './published';
