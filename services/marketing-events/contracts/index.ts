export * from './events';
export * from './publish';
export * from './identifiers';
export * from './delivery-ledger';
export * from './acceptance';
