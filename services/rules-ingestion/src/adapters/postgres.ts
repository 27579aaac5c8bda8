import type { RuleSetPublished } from '@backbone/snoop-scheduler/contracts';
import type { PostgresPool } from '@backbone/shared/postgres';
import type { DefinitionSource, PublicationLog } from '../domain/rule-set';

/** Reads active definitions in the stored shape the domain validates (camelCase, ISO dates). */
export function createPostgresDefinitionSource(pool: PostgresPool): DefinitionSource {
  return {
    async loadActive() {
      const { rows } = await pool.query(
        `SELECT id, name, status, audience, content_ref AS "contentRef",
                to_char(valid_from, 'YYYY-MM-DD') AS "validFrom",
                to_char(valid_to, 'YYYY-MM-DD') AS "validTo",
                version, condition, score
           FROM snoop_definitions
          WHERE status = 'active'
          ORDER BY id`,
      );
      return rows.map((row: Record<string, unknown>) => {
        const { validTo, ...rest } = row;
        return validTo === null ? rest : { ...rest, validTo };
      });
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
    async record(published: RuleSetPublished) {
      await pool.query(
        `INSERT INTO rule_set_publications
           (rule_set_version, s3_bucket, s3_key, checksum_sha256, rule_count, published_by, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (rule_set_version) DO NOTHING`,
        [
          published.ruleSetVersion,
          published.location.bucket,
          published.location.key,
          published.checksumSha256,
          published.ruleCount,
          published.publishedBy,
          published.publishedAt,
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

/** Inserts or replaces definitions (the seed and the tests use it; the admin side writes the same table). */
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
      [
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
        updatedBy,
      ],
    );
  }
}
