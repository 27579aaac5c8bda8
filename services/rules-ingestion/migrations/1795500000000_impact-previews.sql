-- Up Migration

-- An impact preview asked for (by the editor or a reviewer) and, once snoop-scheduler has counted it, its answer.
-- The report's samples quote customers' own amounts: the API shows them to editors and approvers only.
CREATE TABLE impact_previews (
  preview_id    uuid PRIMARY KEY,
  requested_by  text NOT NULL,
  requested_at  timestamptz NOT NULL DEFAULT now(),
  snoop_ids     text[] NOT NULL,
  customers     integer,
  before_label  text NOT NULL,
  after_label   text NOT NULL,
  on_day        date NOT NULL,
  state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'computed', 'failed')),
  report        jsonb,
  reason        text,
  computed_at   timestamptz,
  CHECK ((state = 'computed') = (report IS NOT NULL))
);

-- Approvals may be scheduled: the review is approved, its definition waits until publish_at to become the approved
-- one (and to be published), so nothing published before then carries it.
ALTER TABLE snoop_reviews ADD COLUMN publish_at timestamptz;
ALTER TABLE snoop_reviews DROP CONSTRAINT snoop_reviews_state_check;
ALTER TABLE snoop_reviews ADD CONSTRAINT snoop_reviews_state_check
  CHECK (state IN ('pending', 'approved', 'scheduled', 'sent-back'));
ALTER TABLE snoop_reviews ADD COLUMN impact_preview_id uuid REFERENCES impact_previews (preview_id);
CREATE INDEX snoop_reviews_scheduled ON snoop_reviews (publish_at) WHERE state = 'scheduled';

-- Down Migration

DROP INDEX snoop_reviews_scheduled;
ALTER TABLE snoop_reviews DROP COLUMN impact_preview_id;
ALTER TABLE snoop_reviews DROP CONSTRAINT snoop_reviews_state_check;
ALTER TABLE snoop_reviews ADD CONSTRAINT snoop_reviews_state_check
  CHECK (state IN ('pending', 'approved', 'sent-back'));
ALTER TABLE snoop_reviews DROP COLUMN publish_at;
DROP TABLE impact_previews;
