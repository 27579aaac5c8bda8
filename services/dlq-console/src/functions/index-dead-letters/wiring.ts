import type { SqsConsumerDeps } from '@backbone/shared';
import { consumerParts, openConsoleStores } from '../../composition-root';
import type { DeadLetterIndex } from '../../domain/ports';

export interface IndexDeadLettersDeps extends SqsConsumerDeps {
  /** It only adds to the index. */
  index: Pick<DeadLetterIndex, 'put'>;
}

/** The indexer's side effects: the index table, the notices' DLQ, and the notices queue's visibility for backoff. */
export function wireIndexDeadLetters(env: Record<string, string | undefined> = process.env): IndexDeadLettersDeps {
  return { index: openConsoleStores(env).index, ...consumerParts('indexDeadLetters', env) };
}
