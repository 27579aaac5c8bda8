-- Up Migration

-- A change submitted for review: the definition as submitted (immutable), who submitted it, and the decision.
-- Maker-checker: the decision is someone else's (the application checks; the CHECK below keeps the record honest).
CREATE TABLE snoop_reviews (
  review_id     uuid PRIMARY KEY,
  snoop_id      text NOT NULL,
  version       integer NOT NULL,
  definition    jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
  submitted_by  text NOT NULL,
  submitted_at  timestamptz NOT NULL DEFAULT now(),
  note          text,
  impact        jsonb,
  state         text NOT NULL CHECK (state IN ('pending', 'approved', 'sent-back')),
  decided_by    text,
  decided_at    timestamptz,
  comment       text,
  CHECK (decided_by IS NULL OR decided_by <> submitted_by),
  UNIQUE (snoop_id, version)
);

-- What the next rules file holds: one approved definition per snoop. Publishing reads only this table.
CREATE TABLE snoop_approved (
  snoop_id     text PRIMARY KEY,
  definition   jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
  approved_by  text NOT NULL,
  approved_at  timestamptz NOT NULL DEFAULT now(),
  review_id    uuid REFERENCES snoop_reviews (review_id)
);

-- The definitions already in use are approved as they are: the catalogue served so far stays served.
INSERT INTO snoop_approved (snoop_id, definition, approved_by)
SELECT id,
       jsonb_strip_nulls(jsonb_build_object(
         'id', id, 'name', name, 'status', status, 'audience', audience, 'contentRef', content_ref,
         'validFrom', to_char(valid_from, 'YYYY-MM-DD'), 'validTo', to_char(valid_to, 'YYYY-MM-DD'),
         'version', version, 'condition', condition, 'score', score)),
       updated_by
  FROM snoop_definitions;

-- The transactional outbox: an approval or a restore writes a row in its own transaction; the relay publishes what
-- the rows ask for and marks them. A rolled-back approval leaves no row, so publishes nothing.
CREATE TABLE rule_set_outbox (
  sequence          bigserial PRIMARY KEY,
  reason            text NOT NULL,
  requested_by      text NOT NULL,
  requested_at      timestamptz NOT NULL DEFAULT now(),
  done_at           timestamptz,
  rule_set_version  text,
  outcome           text
);
CREATE INDEX rule_set_outbox_pending ON rule_set_outbox (sequence) WHERE done_at IS NULL;

-- Each publication keeps the definitions it was made of, so that any earlier one can be restored; published_at is
-- its latest publication (a restore publishes it again).
ALTER TABLE rule_set_publications ADD COLUMN definitions jsonb;

-- Down Migration

ALTER TABLE rule_set_publications DROP COLUMN definitions;
DROP TABLE rule_set_outbox;
DROP TABLE snoop_approved;
DROP TABLE snoop_reviews;
