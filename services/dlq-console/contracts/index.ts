/**
 * The dead-letter console's public contracts. The notice every consumer sends it (`DeadLetterRecorded`) is part of
 * the platform's SQS consumer and lives in `@backbone/shared`; what is the console's own is here.
 */
export * from './redrive-requested';
