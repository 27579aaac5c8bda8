export * from './publish';
export * from './identifiers';
