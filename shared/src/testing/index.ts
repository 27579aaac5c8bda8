export * from './lambda';
export * from './sqs-event-source';
export * from './wait-for';
export * from './queues';
export * from './http';
export * from './property-runs';
export * from './function-identity';
