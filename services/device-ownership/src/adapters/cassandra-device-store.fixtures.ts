/** A Cassandra client for the store's unit tests: it records every call and answers from rows it is given. */
import type { Client } from 'cassandra-driver';

export interface Call {
  kind: 'execute' | 'batch';
  query: string;
  params: unknown[];
  options: Record<string, unknown>;
  statements?: { query: string; params: unknown[] }[];
}

/** Answers reads from `rows` (by the statement's first words), LWTs as `applied`, and records every call in order. */
export function recordingClient(rows: Record<string, Record<string, unknown>[]> = {}, applied = true) {
  const calls: Call[] = [];
  const answer = (query: string) => {
    const match = Object.keys(rows).find((start) => query.startsWith(start));
    const found = match ? rows[match]! : [];
    return { rows: found, first: () => found[0], wasApplied: () => applied };
  };
  const client = {
    async execute(query: string, params: unknown[], options: Record<string, unknown>) {
      calls.push({ kind: 'execute', query, params, options });
      return answer(query);
    },
    async batch(statements: { query: string; params: unknown[] }[], options: Record<string, unknown>) {
      calls.push({ kind: 'batch', query: '', params: [], options, statements });
      return answer('');
    },
  };
  /** Every statement that writes, a batch's one by one. */
  const writes = () =>
    calls.flatMap((c) =>
      c.kind === 'batch' ? c.statements! : c.query.startsWith('SELECT') ? [] : [{ query: c.query, params: c.params }],
    );
  return { client: client as unknown as Client, calls, writes };
}
