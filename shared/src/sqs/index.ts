export * from './consumer';
export * from './dead-letter';
export * from './message-attributes';
export * from './producer';
export * from './consumer-wiring';
