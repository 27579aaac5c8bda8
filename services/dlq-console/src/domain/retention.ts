/**
 * When SQS deletes a dead letter: its DLQ's retention after the letter's failure time. A message the consumer sent
 * to the DLQ entered it then; one a standard queue's redrive policy moved keeps the time it first entered its source
 * queue, which is what the sweeper records as its failure time (SQS counts retention from there). A group whose
 * oldest letter SQS deletes within a day is said so: redriven or exported before then, or lost.
 */
export const RETENTION_WARNING_MS = 86_400_000;

export const deletedBySqsAt = (failedAt: string, retentionSeconds: number): string =>
  new Date(Date.parse(failedAt) + retentionSeconds * 1_000).toISOString();

/** "in 3 d 4 h", "in 5 h", "in 12 min", "now": how long until a time, as people say it. */
export function timeUntil(at: string, now: number): string {
  const ms = Date.parse(at) - now;
  if (ms <= 60_000) return 'now';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `in ${hours} h`;
  return `in ${Math.floor(hours / 24)} d ${hours % 24} h`;
}
