/** Impact previews in PostgreSQL (Aurora in AWS): asked for, then answered once. */
import type { PostgresPool } from '@backbone/shared/postgres';
import type { ImpactPreviewRecord, ImpactPreviewStore } from '../domain/impact-previews';

const UTC = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export function createPostgresImpactPreviewStore(pool: PostgresPool): ImpactPreviewStore {
  return {
    async add(record) {
      await pool.query(
        `INSERT INTO impact_previews (preview_id, requested_by, snoop_ids, customers, before_label, after_label, on_day)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          record.previewId,
          record.requestedBy,
          record.snoopIds,
          record.customers,
          record.before,
          record.after,
          record.on,
        ],
      );
    },
    async get(previewId) {
      const { rows } = await pool.query(
        `SELECT preview_id AS "previewId", requested_by AS "requestedBy", ${UTC('requested_at')} AS "requestedAt",
                snoop_ids AS "snoopIds", customers, before_label AS before, after_label AS after,
                to_char(on_day, 'YYYY-MM-DD') AS on, state, report, reason, ${UTC('computed_at')} AS "computedAt"
           FROM impact_previews WHERE preview_id = $1`,
        [previewId],
      );
      const row = rows[0] as Record<string, unknown> | undefined;
      if (!row) return undefined;
      // Absent answers are left out rather than null; customers stays (null means every eligible customer).
      return Object.fromEntries(
        Object.entries(row).filter(([key, value]) => value !== null || key === 'customers'),
      ) as unknown as ImpactPreviewRecord;
    },
    async answer(answer) {
      const computed = answer.outcome.status === 'computed' ? answer.outcome : undefined;
      const { rowCount } = await pool.query(
        `UPDATE impact_previews SET state = $2, report = $3, reason = $4, computed_at = $5
          WHERE preview_id = $1 AND state = 'pending'`,
        [
          answer.previewId,
          answer.outcome.status,
          computed ? JSON.stringify(computed.report) : null,
          answer.outcome.status === 'failed' ? answer.outcome.reason : null,
          answer.computedAt,
        ],
      );
      if (rowCount === 1) return 'recorded';
      const { rowCount: known } = await pool.query('SELECT 1 FROM impact_previews WHERE preview_id = $1', [
        answer.previewId,
      ]);
      return known === 1 ? 'answered' : 'unknown';
    },
    async fail(previewId, reason) {
      await pool.query(
        `UPDATE impact_previews SET state = 'failed', reason = $2, computed_at = now()
          WHERE preview_id = $1 AND state = 'pending'`,
        [previewId, reason],
      );
    },
  };
}
