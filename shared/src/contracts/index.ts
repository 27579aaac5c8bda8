export * from './envelope';
export * from './rule-set-published';
