/**
 * What the console's domain needs from the outside: the queues (SQS), the index of dead letters, the redrive locks
 * and the audit trail (DynamoDB), marketing-events' delivery ledger (read only), each behind an interface so that the
 * domain imports no adapter.
 */
import type { DestinationStatus } from '@backbone/marketing-events/contracts';
import type { AuditEntryRecorded, RedriveRequest, RedriveRequested } from '../../contracts';
import type { FailureKind } from '@backbone/shared';
import type { DeadLetter } from './dead-letters';

/** A DLQ of the stage, found from its sources' redrive policies. */
export interface DeadLetterQueue {
  name: string;
  fifo: boolean;
  /** The queues whose redrive policy names it. */
  sources: string[];
  /** Messages waiting, and received but not yet deleted (SQS's approximate counts). */
  depth: number;
  inFlight: number;
  /** Its retention, in seconds (how long a dead letter stays). */
  retentionSeconds: number;
  /**
   * How long a message redriven to one of its sources, failing on every delivery, takes to come back (its source's
   * maxReceiveCount and its consumer's backoff; the longest of its sources'): what a redrive's canary is watched for.
   */
  retryWindowSeconds: number;
}

/** A message received from a DLQ (hidden until released, deleted or its visibility timeout ends). */
export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** Its string message attributes (the failure's among them). */
  attributes: Record<string, string>;
  groupId?: string;
  /** When it entered the DLQ (SQS's SentTimestamp there), and how often the DLQ has handed it out. */
  sentAt?: string;
  receiveCount: number;
}

export interface OutgoingMessage {
  body: string;
  attributes: Record<string, string>;
  groupId?: string;
  deduplicationId?: string;
}

export interface QueuePort {
  deadLetterQueues(): Promise<DeadLetterQueue[]>;
  /** Receives up to `max` messages, hidden for `visibilitySeconds` (0: still visible to others at once). */
  receive(queue: string, max: number, visibilitySeconds: number): Promise<ReceivedMessage[]>;
  /** Makes a received message visible again at once. */
  release(queue: string, receiptHandle: string): Promise<void>;
  delete(queue: string, receiptHandle: string): Promise<void>;
  /** Sends; returns the new message's id. */
  send(queue: string, message: OutgoingMessage): Promise<string>;
  /** Sends up to 10 in one call, in order; per message, its new id or why it was not sent. */
  sendBatch(queue: string, messages: readonly OutgoingMessage[]): Promise<({ id: string } | { error: string })[]>;
  /** Deletes, or releases, up to 10 received messages in one call. */
  deleteBatch(queue: string, receiptHandles: readonly string[]): Promise<void>;
  releaseBatch(queue: string, receiptHandles: readonly string[]): Promise<void>;
}

/** How the index narrows a read by its keys: some failure groups (their ids), a range of failure times (ISO). */
export interface IndexQuery {
  groups?: readonly string[];
  since?: string;
  until?: string;
  /** Only letters after this position (positionOf: the last letter of the page before). */
  after?: string;
}

/** A failure group as the index counts it, kept as letters are indexed and removed. */
export interface GroupCount {
  id: string;
  key: string;
  reason: string;
  destination: string;
  messageType: string;
  /** Letters of the group in the index, and how many of each failure kind. */
  count: number;
  kinds: Partial<Record<FailureKind, number>>;
}

/**
 * The index of dead letters, built to be read a page at a time whatever a DLQ holds: by failure time (newest
 * first), within failure groups, by key; the groups' counts and the DLQ's activity kept as it is written.
 */
export interface DeadLetterIndex {
  /** One dead letter, its body included; undefined when it is not (or no longer) indexed. */
  get(dlq: string, messageId: string): Promise<DeadLetter | undefined>;
  /** Which of these message ids are indexed. */
  has(dlq: string, messageIds: readonly string[]): Promise<Set<string>>;
  /**
   * Up to `limit` dead letters the query selects, newest first, with bodies only when asked; `next` (the last one's
   * position; absent after the last page) continues where the page ended.
   */
  page(
    dlq: string,
    query: IndexQuery,
    limit: number,
    options?: { bodies?: boolean },
  ): Promise<{ letters: DeadLetter[]; next?: string }>;
  /** The DLQ's failure groups with their counts (groups emptied by redrives included, with count 0). */
  groups(dlq: string): Promise<GroupCount[]>;
  /** The failure times of a group's oldest and newest letters (or the DLQ's, without a group). */
  span(dlq: string, group?: string): Promise<{ first?: string; last?: string }>;
  /** Letters indexed per ten minutes of failure time since `since` (ISO), as [start of the ten minutes, count]. */
  activity(dlq: string, since: string): Promise<[string, number][]>;
  /** The bodies of these letters (those that have one). */
  bodies(dlq: string, messageIds: readonly string[]): Promise<Map<string, string>>;
  /** Indexes letters; one already indexed is replaced, and counted once. */
  put(letters: readonly DeadLetter[]): Promise<void>;
  remove(dlq: string, messageIds: readonly string[]): Promise<void>;
}

export interface RedriveLocks {
  /** Takes the DLQ's redrive lock for `leaseMs` (or renews it, for its holder); false when another holds it. */
  acquire(dlq: string, holder: string, leaseMs: number): Promise<boolean>;
  release(dlq: string, holder: string): Promise<void>;
}

/** An entry of the audit trail (its contract: AuditEntryRecorded, the message every face sends it as). */
export type AuditEntry = AuditEntryRecorded;
export type AuditAction = AuditEntry['action'];

export interface AuditTrail {
  append(entry: AuditEntry): Promise<void>;
  /** The newest first, from the last `days` days. */
  list(options: { days: number; limit: number }): Promise<AuditEntry[]>;
}

/** A redrive asked for through the web API, as its worker records it (the page follows it). */
export interface RedriveRecord {
  redriveId: string;
  dlq: string;
  /** Who asked: their name as shown, and their stable id (the identity provider's subject). */
  actor: string;
  actorId?: string;
  /**
   * What they asked and the roles they held when they asked, written by the API: what the worker runs, and with which
   * rights (never the job message's word). Not shown.
   */
  request?: RedriveRequest & { roles: string[] };
  summary: string;
  /** When it was asked for (the redrives' list is in this order). */
  askedAt?: string;
  state: 'queued' | 'running' | 'done' | 'stopped' | 'refused' | 'failed';
  progress?: {
    stage: string;
    total: number;
    sent: number;
    failedAgain: number;
    notFound: number;
    alreadyDelivered?: number;
  };
  /** Why it stopped, was refused or failed. */
  because?: string;
  updatedAt: string;
}

export interface RedriveRecords {
  put(record: RedriveRecord): Promise<void>;
  get(redriveId: string): Promise<RedriveRecord | undefined>;
  /** The newest first, at most `limit` (records are kept a week). */
  list(limit: number): Promise<RedriveRecord[]>;
  /** Marks a redrive cancelled by someone (apart from its record, which its worker keeps writing). */
  cancel(redriveId: string, by: string): Promise<void>;
  /** Who cancelled it, if anyone. */
  cancelledBy(redriveId: string): Promise<string | undefined>;
}

/** Where a requested redrive waits for its worker. */
export interface RedriveJobs {
  enqueue(job: RedriveRequested): Promise<void>;
}

/**
 * marketing-events' delivery ledger, read only: which platforms have each event, and how each platform answered
 * lately (see shared/src/marketing/delivery-ledger.ts).
 */
export interface DeliveryRecords {
  /** Per event id it knows, the platforms that have the event. */
  delivered(eventIds: readonly string[]): Promise<Map<string, ReadonlySet<string>>>;
  statuses(destinations: readonly string[]): Promise<Map<string, DestinationStatus>>;
}
