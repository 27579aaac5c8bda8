/**
 * The console's operations, one library for its three faces (the command line, the HTTP API, the page): the DLQs
 * with their depth, age and trend; the dead letters, masked; their groups; a redrive's plan, its dry run and its
 * execution; the audit trail. Everything it shows comes from the index, so looking never receives a message.
 */
import { createConsoleCore, type ConsoleDependencies } from './console-core';
import { changeOperations } from './console-changes';
import { readOperations } from './console-reads';
import { redriveOperations } from './console-redrives';

export type { DryRunResult } from './dry-run';
export type { DeadLetterQueueView } from './queue-view';
export type { ConsoleDependencies, DeadLetterView } from './console-core';
export { StaleConfirmationError } from './console-errors';

/** The console: what it shows, what changes dead letters, and redrives, over one core (its ports and helpers). */
export function createDeadLetterConsole(dependencies: ConsoleDependencies) {
  const core = createConsoleCore(dependencies);
  return { ...readOperations(core), ...changeOperations(core), ...redriveOperations(core) };
}

export type DeadLetterConsole = ReturnType<typeof createDeadLetterConsole>;
