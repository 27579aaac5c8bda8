export * from './build-once';
