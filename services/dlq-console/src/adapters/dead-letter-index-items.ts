/**
 * How the index of dead letters lays its items out in its table (dynamodb-dead-letter-index.ts): the keys, a letter
 * as an item and back, and what a letter changes in the counts kept beside it (its group's, its ten minutes'),
 * as the update items of a transaction.
 */
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { FailureKind } from '@backbone/shared';
import {
  failedDestinations,
  groupIdOf,
  groupKeyOf,
  normaliseReason,
  positionOf,
  type DeadLetter,
} from '../domain/dead-letters';

export const DAY_MS = 86_400_000;
/** A dead letter outlives its DLQ's longest retention (14 days) by a day: the index never outlasts the message long. */
export const INDEX_KEEP_MS = 15 * DAY_MS;
/** DynamoDB's most per transaction. */
export const TRANSACTION_ITEMS = 100;
const NONE = '-';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export const letterKey = (dlq: string, messageId: string) => ({ pk: `Q#${dlq}`, sk: messageId });
export const bodyKey = (dlq: string, messageId: string) => ({ pk: `B#${dlq}`, sk: messageId });
export const groupPk = (dlq: string) => `GROUPS#${dlq}`;
export const trendPk = (dlq: string) => `TREND#${dlq}`;
export const grpOf = (dlq: string, groupId: string) => `G#${dlq}#${groupId}`;
/** The letter's position in its DLQ's order (the domain's), its sort key in both indexes. */
export const atOf = positionOf;

/** The start of the ten minutes a time falls in: "2026-12-08T10:20". */
export const tenMinutesOf = (iso: string): string => `${iso.slice(0, 15)}0`;

export const kindAttribute = (kind: FailureKind) => `k_${kind.replace(/-/g, '_')}`;

/** What one letter changes in the counts: its group's and its ten minutes'. */
interface CountChange {
  groups: Map<string, { letter: DeadLetter; n: number; kinds: Map<FailureKind, number> }>;
  trend: Map<string, number>;
}

export function countChange(letters: readonly DeadLetter[], sign: 1 | -1, change?: CountChange): CountChange {
  const into: CountChange = change ?? { groups: new Map(), trend: new Map() };
  for (const letter of letters) {
    const id = groupIdOf(groupKeyOf(letter));
    const group = into.groups.get(id) ?? { letter, n: 0, kinds: new Map() };
    group.n += sign;
    group.kinds.set(letter.kind, (group.kinds.get(letter.kind) ?? 0) + sign);
    into.groups.set(id, group);
    const ten = tenMinutesOf(letter.failedAt);
    into.trend.set(ten, (into.trend.get(ten) ?? 0) + sign);
  }
  return into;
}

export function countUpdates(table: string, dlq: string, change: CountChange): TransactItem[] {
  const updates: TransactItem[] = [];
  for (const [id, { letter, n, kinds }] of change.groups) {
    // A letter replaced within its group, kind and time: nothing to count.
    if (n === 0 && [...kinds.values()].every((k) => k === 0)) continue;
    const names: Record<string, string> = { '#n': 'n' };
    const values: Record<string, unknown> = {
      ':n': n,
      ':key': groupKeyOf(letter),
      ':reason': normaliseReason(letter.reason),
      ':destination': failedDestinations(letter).join('+') || NONE,
      ':type': letter.messageType ?? NONE,
    };
    const adds = ['#n :n'];
    [...kinds].forEach(([kind, count], i) => {
      names[`#k${i}`] = kindAttribute(kind);
      values[`:k${i}`] = count;
      adds.push(`#k${i} :k${i}`);
    });
    updates.push({
      Update: {
        TableName: table,
        Key: { pk: groupPk(dlq), sk: id },
        UpdateExpression: `SET #key = :key, reason = :reason, destination = :destination, messageType = :type ADD ${adds.join(', ')}`,
        ExpressionAttributeNames: { ...names, '#key': 'key' },
        ExpressionAttributeValues: values,
      },
    });
  }
  for (const [ten, n] of change.trend) {
    if (n === 0) continue;
    updates.push({
      Update: {
        TableName: table,
        Key: { pk: trendPk(dlq), sk: ten },
        UpdateExpression: 'SET expiresAt = :expires ADD #n :n',
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':n': n, ':expires': Math.floor((Date.parse(ten) + INDEX_KEEP_MS) / 1000) },
      },
    });
  }
  return updates;
}

/** How many items a transaction of these letters needs: one each, and one per group and ten minutes among them. */
function transactionSize(letters: readonly DeadLetter[]): number {
  const change = countChange(letters, 1);
  return letters.length + change.groups.size + change.trend.size;
}

/** Letters in runs whose transactions fit DynamoDB's limit. */
export function inTransactions(letters: readonly DeadLetter[]): DeadLetter[][] {
  const runs: DeadLetter[][] = [];
  let run: DeadLetter[] = [];
  for (const letter of letters) {
    if (run.length > 0 && transactionSize([...run, letter]) > TRANSACTION_ITEMS) {
      runs.push(run);
      run = [];
    }
    run.push(letter);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

const STORED_ONLY = ['pk', 'sk', 'at', 'grp', 'expiresAt'];

export function letterFrom(item: Record<string, unknown>): DeadLetter {
  const rest = { ...item };
  for (const name of STORED_ONLY) delete rest[name];
  const { destinations, ...letter } = rest;
  return {
    ...letter,
    destinations: typeof destinations === 'string' ? (JSON.parse(destinations) as unknown) : [],
  } as unknown as DeadLetter;
}

export function letterItem(letter: DeadLetter): Record<string, unknown> {
  const rest: Partial<DeadLetter> = { ...letter };
  delete rest.body;
  return {
    ...letterKey(letter.dlq, letter.messageId),
    ...rest,
    at: atOf(letter),
    grp: grpOf(letter.dlq, groupIdOf(groupKeyOf(letter))),
    // One string, not a list of maps: DynamoDB's nested types cost a page a fifth of its read rate (bench:dlq).
    destinations: JSON.stringify(letter.destinations),
    expiresAt: Math.floor((Date.parse(letter.failedAt) + INDEX_KEEP_MS) / 1000),
  };
}
