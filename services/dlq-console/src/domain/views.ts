/**
 * What leaves the console, in the one form it may leave in: masked. Every face (the API, the page, the command line,
 * an export) shows dead letters, plans and dry runs through these views, so none can forget a field: a dead letter's
 * body by its contract, its reason and its platforms' answers as text (what the body holds is recognised there too),
 * its attributes but the console's own, its FIFO group (a customer's id). Unmasked only through `unmaskedLetter`,
 * which the console calls after checking dlq:unmask and auditing the reason.
 */
import { ATTRIBUTE, maskText, maskValue } from '@backbone/shared';
import { maskMessageBody } from './contract-registry';
import type { DeadLetter, DeadLetterFilter } from './dead-letters';
import type { DryRunResult } from './dry-run';
import type { AuditEntry, RedriveRecord } from './ports';
import type { RedrivePlan } from './redrive';
import { canaryWatchSecondsFor } from './redrive-plan';

/** A dead letter as shown: personal data masked (the paths masked listed, never their values). */
export interface DeadLetterView extends Omit<DeadLetter, 'body'> {
  body?: string;
  masked: string[];
  /** When SQS deletes it (its DLQ's retention after it failed). */
  deletedAt?: string;
}

/** Attributes that say only what the system did (types, failure kinds, redrive ids): shown as they are. */
const SYSTEM_ATTRIBUTES: ReadonlySet<string> = new Set([
  ATTRIBUTE.type,
  ATTRIBUTE.version,
  ATTRIBUTE.failureKind,
  ATTRIBUTE.failedAt,
  ATTRIBUTE.failureSource,
  ATTRIBUTE.failureReceiveCount,
  ATTRIBUTE.failureMessageId,
  ATTRIBUTE.failureDestinations,
  ATTRIBUTE.resend,
  ATTRIBUTE.redriveId,
]);

export function maskedLetter(letter: DeadLetter): DeadLetterView {
  const { body, ...rest } = letter;
  const shown = body === undefined ? undefined : maskMessageBody(body);
  const known = shown?.values ?? new Set<string>();
  const masked = [...(shown?.masked ?? [])];
  // A letter's reason is its platforms' answers joined: each text is masked once.
  const maskedTexts = new Map<string, string>();
  const text = (value: string): string => {
    let masked = maskedTexts.get(value);
    if (masked === undefined) maskedTexts.set(value, (masked = maskText(value, known)));
    return masked;
  };
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(letter.attributes ?? {})) {
    if (SYSTEM_ATTRIBUTES.has(name)) attributes[name] = value;
    else if (name === ATTRIBUTE.failureReason) attributes[name] = text(value);
    else {
      attributes[name] = maskValue(value) as string;
      masked.push(`attributes.${name}`);
    }
  }
  if (letter.groupId !== undefined) masked.push('groupId');
  return {
    ...rest,
    reason: text(letter.reason),
    destinations: (letter.destinations ?? []).map((failure) =>
      failure.message === undefined ? failure : { ...failure, message: text(failure.message) },
    ),
    attributes,
    ...(letter.groupId !== undefined ? { groupId: maskValue(letter.groupId) as string } : {}),
    ...(shown ? { body: shown.text } : {}),
    masked,
  };
}

/** A dead letter as it is: only for someone allowed to unmask, who said why (the console audits it first). */
export const unmaskedLetter = (letter: DeadLetter): DeadLetterView => ({ ...letter, masked: [] });

/** The plan behind a view, for the console's own use (never serialised: JSON leaves symbol keys out). */
const PLAN = Symbol('the redrive plan behind this view');

/** A redrive plan as shown: counts, the sentence to confirm, and a sample of ids with masked reasons. */
export interface RedrivePlanView {
  dlq: string;
  fifo: boolean;
  filter: DeadLetterFilter;
  /** How many messages it moves. */
  selected: number;
  addedForOrder: number;
  /** FIFO: the ids of those, which the filter did not select (what a purge deletes besides). */
  addedForOrderIds: string[];
  bySource: Record<string, number>;
  byType: Record<string, number>;
  sample: Pick<DeadLetterView, 'messageId' | 'messageType' | 'failedAt' | 'kind' | 'reason'>[];
  summary: string;
  /** How long its canary is watched unless the person says otherwise (canaryWatchSecondsFor the DLQ). */
  canaryWatchSeconds: number;
  readonly [PLAN]: RedrivePlan;
}

export function planView(plan: RedrivePlan): RedrivePlanView {
  return {
    dlq: plan.dlq.name,
    fifo: plan.dlq.fifo,
    filter: plan.filter,
    selected: plan.selected.length,
    addedForOrder: plan.addedForOrder,
    addedForOrderIds: plan.addedForOrderIds,
    bySource: plan.bySource,
    byType: plan.byType,
    sample: plan.sample.map((letter) => {
      const { messageId, messageType, failedAt, kind, reason } = maskedLetter(letter);
      return { messageId, ...(messageType !== undefined ? { messageType } : {}), failedAt, kind, reason };
    }),
    summary: plan.summary,
    canaryWatchSeconds: canaryWatchSecondsFor(plan.dlq),
    [PLAN]: plan,
  };
}

export const planBehind = (view: RedrivePlanView): RedrivePlan => view[PLAN];

/** A dry run as shown: its plan as a view, and the reasons and platforms' answers masked as text. */
export interface DryRunView extends Omit<DryRunResult, 'plan'> {
  plan: RedrivePlanView;
}

export const dryRunView = (result: DryRunResult): DryRunView => ({
  ...result,
  plan: planView(result.plan),
  wouldFail: result.wouldFail.map((failure) => ({ ...failure, reason: maskText(failure.reason) })),
  destinations: result.destinations.map((status) =>
    status.failure === undefined ? status : { ...status, failure: maskText(status.failure) },
  ),
});

/** A redrive's record as shown: why it stopped, masked as text. */
export const recordView = ({ request: _request, ...record }: RedriveRecord): RedriveRecord =>
  record.because === undefined ? record : { ...record, because: maskText(record.because) };

/** An audit entry as shown: the texts in it (a reason someone gave to unmask, a stop's cause) masked. */
export const auditView = (entry: AuditEntry): AuditEntry => ({
  ...entry,
  outcome: maskText(entry.outcome),
  ...(entry.detail
    ? {
        detail: Object.fromEntries(
          Object.entries(entry.detail).map(([key, value]) => [
            key,
            typeof value === 'string' ? maskText(value) : Array.isArray(value) ? value.map((v) => maskText(v)) : value,
          ]),
        ),
      }
    : {}),
});
