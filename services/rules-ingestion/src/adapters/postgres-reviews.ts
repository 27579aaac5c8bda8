/**
 * Reviews, the approved definitions and the rule-set outbox in PostgreSQL (Aurora in AWS). An approval and a restore
 * are each one transaction with their outbox row: committed together or not at all.
 */
import type { PoolClient } from 'pg';
import type { PostgresPool } from '@backbone/shared/postgres';
import type { StoredSnoop } from '@backbone/rules-language';
import type { OutboxRequest, Publication, Review, ReviewStore, RuleSetOutbox } from '../domain/reviews';

async function inTransaction<T>(pool: PostgresPool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const REVIEW_COLUMNS = `review_id AS "reviewId", snoop_id AS "snoopId", version, definition AS snoop,
  submitted_by AS "submittedBy", to_char(submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "submittedAt",
  note, impact_preview_id AS "impactPreviewId", state,
  to_char(publish_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "publishAt", decided_by AS "decidedBy",
  to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "decidedAt", comment`;

/** A row as the domain's review: absent fields left out rather than null. */
const reviewOf = (row: Record<string, unknown>): Review =>
  Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null)) as unknown as Review;

/** Adds the outbox row asking for a publication, in the caller's transaction. */
const ask = (client: PoolClient, reason: string, requestedBy: string) =>
  client.query('INSERT INTO rule_set_outbox (reason, requested_by) VALUES ($1, $2)', [reason, requestedBy]);

export function createPostgresReviewStore(pool: PostgresPool): ReviewStore {
  return {
    async add(review) {
      const { rowCount } = await pool.query(
        `INSERT INTO snoop_reviews (review_id, snoop_id, version, definition, submitted_by, note, impact_preview_id, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending')
         ON CONFLICT (snoop_id, version) DO NOTHING`,
        [
          review.reviewId,
          review.snoopId,
          review.version,
          JSON.stringify(review.snoop),
          review.submittedBy,
          review.note ?? null,
          review.impactPreviewId ?? null,
        ],
      );
      return rowCount === 1 ? 'added' : 'duplicate';
    },
    async get(reviewId) {
      const { rows } = await pool.query(`SELECT ${REVIEW_COLUMNS} FROM snoop_reviews WHERE review_id = $1`, [reviewId]);
      return rows[0] ? reviewOf(rows[0] as Record<string, unknown>) : undefined;
    },
    async list(state) {
      const { rows } = await pool.query(
        `SELECT ${REVIEW_COLUMNS} FROM snoop_reviews WHERE $1::text IS NULL OR state = $1 ORDER BY submitted_at DESC LIMIT 200`,
        [state ?? null],
      );
      return rows.map((row) => reviewOf(row as Record<string, unknown>));
    },
    async approved() {
      const { rows } = await pool.query('SELECT definition FROM snoop_approved ORDER BY snoop_id');
      return rows.map((row: { definition: StoredSnoop }) => row.definition);
    },
    approve: (reviewId, decidedBy, comment, reason) =>
      inTransaction(pool, async (client) => {
        // Only a pending review: two approvers at once, one wins.
        const { rows } = await client.query(
          `UPDATE snoop_reviews SET state = 'approved', decided_by = $2, decided_at = now(), comment = $3
            WHERE review_id = $1 AND state = 'pending'
        RETURNING snoop_id, definition`,
          [reviewId, decidedBy, comment || null],
        );
        const approved = rows[0] as { snoop_id: string; definition: unknown } | undefined;
        if (!approved) return 'not-pending' as const;
        await client.query(
          `INSERT INTO snoop_approved (snoop_id, definition, approved_by, review_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT (snoop_id) DO UPDATE SET definition = EXCLUDED.definition, approved_by = EXCLUDED.approved_by,
             approved_at = now(), review_id = EXCLUDED.review_id`,
          [approved.snoop_id, JSON.stringify(approved.definition), decidedBy, reviewId],
        );
        await ask(client, reason, decidedBy);
        return 'approved' as const;
      }),
    async schedule(reviewId, decidedBy, comment, publishAt) {
      const { rowCount } = await pool.query(
        `UPDATE snoop_reviews SET state = 'scheduled', decided_by = $2, decided_at = now(), comment = $3, publish_at = $4
          WHERE review_id = $1 AND state = 'pending'`,
        [reviewId, decidedBy, comment || null, publishAt],
      );
      return rowCount === 1 ? 'scheduled' : 'not-pending';
    },
    async sendBack(reviewId, decidedBy, comment) {
      const { rowCount } = await pool.query(
        `UPDATE snoop_reviews SET state = 'sent-back', decided_by = $2, decided_at = now(), comment = $3, publish_at = NULL
          WHERE review_id = $1 AND state IN ('pending', 'scheduled')`,
        [reviewId, decidedBy, comment],
      );
      return rowCount === 1 ? 'sent-back' : 'not-pending';
    },
    async publications() {
      const { rows } = await pool.query(
        `SELECT rule_set_version AS "ruleSetVersion", rule_count AS "ruleCount", published_by AS "publishedBy",
                to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "publishedAt",
                definitions IS NOT NULL AS restorable
           FROM rule_set_publications ORDER BY published_at DESC LIMIT 100`,
      );
      return rows as Publication[];
    },
    async publicationDefinitions(ruleSetVersion) {
      const { rows } = await pool.query('SELECT definitions FROM rule_set_publications WHERE rule_set_version = $1', [
        ruleSetVersion,
      ]);
      return (rows[0] as { definitions: StoredSnoop[] | null } | undefined)?.definitions ?? undefined;
    },
    restore: (ruleSetVersion, requestedBy, reason) =>
      inTransaction(pool, async (client) => {
        const { rows } = await client.query(
          'SELECT definitions FROM rule_set_publications WHERE rule_set_version = $1 FOR UPDATE',
          [ruleSetVersion],
        );
        const found = rows[0] as { definitions: StoredSnoop[] | null } | undefined;
        if (!found) return 'unknown' as const;
        if (!found.definitions) return 'not-restorable' as const;
        // The approved definitions become exactly those the publication was made of.
        await client.query('DELETE FROM snoop_approved');
        for (const definition of found.definitions)
          await client.query('INSERT INTO snoop_approved (snoop_id, definition, approved_by) VALUES ($1, $2, $3)', [
            definition.id,
            JSON.stringify(definition),
            requestedBy,
          ]);
        await ask(client, reason, requestedBy);
        return 'queued' as const;
      }),
  };
}

/** The outbox's waiting rows, drained by one relay at a time (row locks; another relay skips what is locked). */
export function createPostgresRuleSetOutbox(pool: PostgresPool): RuleSetOutbox {
  return {
    promoteScheduled: () =>
      inTransaction(pool, async (client) => {
        const { rows } = await client.query(
          `UPDATE snoop_reviews SET state = 'approved'
            WHERE review_id IN (SELECT review_id FROM snoop_reviews
                                 WHERE state = 'scheduled' AND publish_at <= now()
                                 ORDER BY publish_at, decided_at FOR UPDATE SKIP LOCKED)
        RETURNING review_id, snoop_id, version, definition, decided_by, submitted_by,
                  to_char(publish_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') AS publish_at`,
        );
        const due = rows as {
          review_id: string;
          snoop_id: string;
          version: number;
          definition: StoredSnoop;
          decided_by: string;
          submitted_by: string;
          publish_at: string;
        }[];
        for (const review of due.sort((a, b) => a.version - b.version)) {
          // A later version of the snoop approved meanwhile stays: a schedule never takes a snoop back in time.
          await client.query(
            `INSERT INTO snoop_approved (snoop_id, definition, approved_by, review_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT (snoop_id) DO UPDATE SET definition = EXCLUDED.definition, approved_by = EXCLUDED.approved_by,
               approved_at = now(), review_id = EXCLUDED.review_id
             WHERE (snoop_approved.definition ->> 'version')::int <= (EXCLUDED.definition ->> 'version')::int`,
            [review.snoop_id, JSON.stringify(review.definition), review.decided_by, review.review_id],
          );
          await ask(
            client,
            `approved "${review.snoop_id}" version ${review.version} for ${review.publish_at} ` +
              `(submitted by ${review.submitted_by})`,
            review.decided_by,
          );
        }
        return due.length;
      }),
    drain: (publish) =>
      inTransaction(pool, async (client) => {
        const { rows } = await client.query(
          `SELECT sequence, reason, requested_by AS "requestedBy" FROM rule_set_outbox
            WHERE done_at IS NULL ORDER BY sequence FOR UPDATE SKIP LOCKED`,
        );
        const waiting = rows as (OutboxRequest & { sequence: string })[];
        if (waiting.length === 0) return { rows: 0 };
        // Published while the rows are locked: a relay that dies here leaves them waiting, and the next publishes
        // the same definitions (the same version: nothing twice).
        const outcome = await publish(waiting.map(({ reason, requestedBy }) => ({ reason, requestedBy })));
        // Approvals are checked before they commit, so this is a defect: the rows wait, and the relay's error alarms.
        if (outcome.status === 'invalid')
          throw new Error(
            `the approved definitions do not publish: ${outcome.errors.map((e) => e.message).join('; ')}`,
          );
        await client.query(
          `UPDATE rule_set_outbox SET done_at = now(), rule_set_version = $2, outcome = $3 WHERE sequence = ANY($1::bigint[])`,
          [
            waiting.map((row) => row.sequence),
            outcome.status === 'published' ? outcome.published.ruleSetVersion : outcome.version,
            outcome.status,
          ],
        );
        return { rows: waiting.length, outcome };
      }),
  };
}
