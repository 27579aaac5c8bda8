export * from './build-once';
export * from './deadline';
