export * from './envelope';
export * from './rule-set-published';
export * from './marketing-events';
export * from './device-events';
export * from './snoop-run';
export * from './dead-letters';
export * from './personal';
export * from './registry';
