export { Compiler } from './closures';
export { AggregatePlan } from './plan';
export { fold } from './shapes';
export type { Compiled, HoistedAggregate, ScanScope } from './types';
