import type { RuleSetPublished } from '@backbone/snoop-scheduler/contracts';
import type { PostgresPool } from '@backbone/shared/postgres';
import type { StoredSnoop } from '@backbone/rules-language';
import type { DefinitionStore, SnoopRevision } from '../domain/definitions';
import type { DefinitionSource, PublicationLog } from '../domain/rule-set';

/**
 * Reads the approved active definitions (what a rules file is made of: a writer's saved draft is not, until someone
 * else approves it) in the stored shape the domain validates.
 */
export function createPostgresDefinitionSource(pool: PostgresPool): DefinitionSource {
  return {
    async loadActive() {
      const { rows } = await pool.query(
        `SELECT definition FROM snoop_approved WHERE definition->>'status' = 'active' ORDER BY snoop_id`,
      );
      return rows.map((row: { definition: unknown }) => row.definition);
    },
  };
}

export function createPostgresPublicationLog(pool: PostgresPool): PublicationLog {
  return {
    async isPublished(version) {
      const { rowCount } = await pool.query('SELECT 1 FROM rule_set_publications WHERE rule_set_version = $1', [
        version,
      ]);
      return (rowCount ?? 0) > 0;
    },
    async latest() {
      const { rows } = await pool.query(
        'SELECT rule_set_version FROM rule_set_publications ORDER BY published_at DESC, rule_set_version LIMIT 1',
      );
      return (rows[0] as { rule_set_version: string } | undefined)?.rule_set_version;
    },
    async record(published: RuleSetPublished, definitions) {
      // Published again (a restore): the same row, now the latest.
      await pool.query(
        `INSERT INTO rule_set_publications
           (rule_set_version, s3_bucket, s3_key, checksum_sha256, rule_count, published_by, published_at, definitions)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (rule_set_version) DO UPDATE SET
           published_by = EXCLUDED.published_by, published_at = EXCLUDED.published_at,
           definitions = COALESCE(EXCLUDED.definitions, rule_set_publications.definitions)`,
        [
          published.ruleSetVersion,
          published.location.bucket,
          published.location.key,
          published.checksumSha256,
          published.ruleCount,
          published.publishedBy,
          published.publishedAt,
          JSON.stringify(definitions),
        ],
      );
    },
  };
}

export interface StoredDefinitionRow {
  id: string;
  name: string;
  status: string;
  audience: string;
  contentRef: string;
  validFrom: string;
  validTo?: string;
  version: number;
  condition: unknown;
  score: unknown;
}

/** A definition's columns in snoop_definitions' order (id ... score), then who saved it: $1 to $11. */
const definitionValues = (d: StoredDefinitionRow | StoredSnoop, savedBy: string): unknown[] => [
  d.id,
  d.name,
  d.status,
  d.audience,
  d.contentRef,
  d.validFrom,
  d.validTo ?? null,
  d.version,
  JSON.stringify(d.condition),
  JSON.stringify(d.score),
  savedBy,
];

/**
 * Imports definitions (the seed, the tests): inserted or replaced, and approved as they are by whoever imports them
 * (an operator's import is the review; the editor's changes go through snoop_reviews instead).
 */
export async function upsertDefinitions(
  pool: PostgresPool,
  definitions: readonly StoredDefinitionRow[],
  updatedBy: string,
): Promise<void> {
  for (const d of definitions) {
    await pool.query(
      `INSERT INTO snoop_definitions
         (id, name, status, audience, content_ref, valid_from, valid_to, version, condition, score, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
       ON CONFLICT (id) DO UPDATE SET
         name = EXCLUDED.name, status = EXCLUDED.status, audience = EXCLUDED.audience,
         content_ref = EXCLUDED.content_ref, valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to,
         version = EXCLUDED.version, condition = EXCLUDED.condition, score = EXCLUDED.score,
         updated_by = EXCLUDED.updated_by, updated_at = now()
       WHERE (snoop_definitions.version, snoop_definitions.condition, snoop_definitions.score, snoop_definitions.status,
              snoop_definitions.name) IS DISTINCT FROM
             (EXCLUDED.version, EXCLUDED.condition, EXCLUDED.score, EXCLUDED.status, EXCLUDED.name)`,
      definitionValues(d, updatedBy),
    );
    const { validTo, ...rest } = d;
    await pool.query(
      `INSERT INTO snoop_approved (snoop_id, definition, approved_by) VALUES ($1, $2, $3)
       ON CONFLICT (snoop_id) DO UPDATE SET definition = EXCLUDED.definition, approved_by = EXCLUDED.approved_by,
         approved_at = now(), review_id = NULL
       WHERE snoop_approved.definition IS DISTINCT FROM EXCLUDED.definition`,
      [d.id, JSON.stringify(validTo ? { ...rest, validTo } : rest), updatedBy],
    );
  }
}

const SNOOP_COLUMNS = `id, name, status, audience, content_ref AS "contentRef",
  to_char(valid_from, 'YYYY-MM-DD') AS "validFrom", to_char(valid_to, 'YYYY-MM-DD') AS "validTo",
  version, condition, score, updated_by AS "savedBy",
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "savedAt"`;

/** A row of snoop_definitions (or of its history's copies) as the domain's revision. */
function revisionOf(row: Record<string, unknown>): SnoopRevision {
  const { savedBy, savedAt, validTo, ...snoop } = row;
  return {
    snoop: (validTo === null || validTo === undefined ? snoop : { ...snoop, validTo }) as unknown as StoredSnoop,
    savedBy: savedBy as string,
    savedAt: savedAt as string,
  };
}

/** The definitions people edit, with optimistic concurrency on `version` and the trigger-kept history. */
export function createPostgresDefinitionStore(pool: PostgresPool): DefinitionStore {
  return {
    async list() {
      const { rows } = await pool.query(`SELECT ${SNOOP_COLUMNS} FROM snoop_definitions ORDER BY id`);
      return rows.map(revisionOf);
    },
    async get(id) {
      const { rows } = await pool.query(`SELECT ${SNOOP_COLUMNS} FROM snoop_definitions WHERE id = $1`, [id]);
      return rows[0] ? revisionOf(rows[0] as Record<string, unknown>) : undefined;
    },
    async history(id) {
      // The trigger keeps each saved row whole (to_jsonb), in the table's own column names.
      const { rows } = await pool.query(
        `SELECT d->>'id' AS id, d->>'name' AS name, d->>'status' AS status, d->>'audience' AS audience,
                d->>'content_ref' AS "contentRef", d->>'valid_from' AS "validFrom", d->>'valid_to' AS "validTo",
                (d->>'version')::int AS version, d->'condition' AS condition, d->'score' AS score,
                d->>'updated_by' AS "savedBy",
                to_char(saved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "savedAt"
           FROM (SELECT definition AS d, saved_at, version FROM snoop_definition_history WHERE id = $1) history
          ORDER BY version, "savedAt"`,
        [id],
      );
      return rows.map(revisionOf);
    },
    async insert(snoop, savedBy) {
      const { rowCount } = await pool.query(
        `INSERT INTO snoop_definitions
           (id, name, status, audience, content_ref, valid_from, valid_to, version, condition, score, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO NOTHING`,
        definitionValues(snoop, savedBy),
      );
      return rowCount === 1 ? 'inserted' : 'exists';
    },
    async update(snoop, expectedVersion, savedBy) {
      // The condition on the version is the whole concurrency control: two people saving on one version, one wins.
      const { rowCount } = await pool.query(
        `UPDATE snoop_definitions SET
           name = $2, status = $3, audience = $4, content_ref = $5, valid_from = $6, valid_to = $7, version = $8,
           condition = $9, score = $10, updated_by = $11, updated_at = now()
         WHERE id = $1 AND version = $12`,
        [...definitionValues(snoop, savedBy), expectedVersion],
      );
      if (rowCount === 1) return 'updated';
      const { rowCount: exists } = await pool.query('SELECT 1 FROM snoop_definitions WHERE id = $1', [snoop.id]);
      return exists ? 'stale' : 'missing';
    },
  };
}
