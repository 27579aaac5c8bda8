export * from './publish';
