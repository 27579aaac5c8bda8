/**
 * The one place in snoop-scheduler that reads configuration and builds clients for its Lambdas: each function's
 * wiring takes ready-made parts from here. The rules engine's container has its own entry (engine/main.ts).
 */
export const SERVICE = 'snoop-scheduler';
