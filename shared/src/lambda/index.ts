export * from './build-once';
export * from './deadline';
export * from './migrations';
