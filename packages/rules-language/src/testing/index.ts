// Test and benchmark helpers for the rules DSL. A separate entry point: the reference CEL engine they load is a
// development dependency, never part of a service's bundle.
export { celReferenceEnvironment, toStandardCel } from './cel-environment';
export { sampleCustomer } from './sample-customer';
