export * from './client';
export * from './migrations';
