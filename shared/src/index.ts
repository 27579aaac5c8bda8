export * from './aws';
export * from './config';
export * from './contracts';
export * from './errors';
export * from './observability';
export * from './sqs';
export * from './marketing';
