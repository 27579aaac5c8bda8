export * from './clients';
export * from './queue-urls';
