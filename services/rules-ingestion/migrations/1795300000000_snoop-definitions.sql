-- Up Migration

-- One row per snoop: what business users edit. Conditions and scores are structured JSON
-- (see shared/src/rules/definition.ts), never code; the application validates their shape.
CREATE TABLE snoop_definitions (
  id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  status      text NOT NULL CHECK (status IN ('draft', 'active', 'retired')),
  audience    text NOT NULL CHECK (length(audience) BETWEEN 1 AND 100),
  content_ref text NOT NULL CHECK (length(content_ref) BETWEEN 1 AND 500),
  valid_from  date NOT NULL,
  valid_to    date CHECK (valid_to IS NULL OR valid_to >= valid_from),
  version     integer NOT NULL CHECK (version >= 1),
  condition   jsonb NOT NULL CHECK (jsonb_typeof(condition) = 'object'),
  score       jsonb NOT NULL CHECK (jsonb_typeof(score) = 'object'),
  updated_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX snoop_definitions_active ON snoop_definitions (id) WHERE status = 'active';

-- Every saved version of every definition, kept by a trigger: who changed what, and when.
CREATE TABLE snoop_definition_history (
  id          text NOT NULL,
  version     integer NOT NULL,
  saved_at    timestamptz NOT NULL DEFAULT now(),
  operation   text NOT NULL,
  definition  jsonb NOT NULL,
  PRIMARY KEY (id, version, saved_at)
);

CREATE FUNCTION record_snoop_definition_history() RETURNS trigger AS $$
BEGIN
  INSERT INTO snoop_definition_history (id, version, operation, definition)
  VALUES (NEW.id, NEW.version, TG_OP, to_jsonb(NEW));
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER snoop_definitions_history
  AFTER INSERT OR UPDATE ON snoop_definitions
  FOR EACH ROW EXECUTE FUNCTION record_snoop_definition_history();

-- Each rule set written to S3; the version is the content hash, so a version appears once.
CREATE TABLE rule_set_publications (
  rule_set_version text PRIMARY KEY CHECK (rule_set_version ~ '^[0-9a-f]{64}$'),
  s3_bucket        text NOT NULL,
  s3_key           text NOT NULL,
  checksum_sha256  text NOT NULL,
  rule_count       integer NOT NULL CHECK (rule_count >= 0),
  published_by     text NOT NULL,
  published_at     timestamptz NOT NULL DEFAULT now()
);

-- Down Migration

DROP TABLE rule_set_publications;
DROP TRIGGER snoop_definitions_history ON snoop_definitions;
DROP FUNCTION record_snoop_definition_history();
DROP TABLE snoop_definition_history;
DROP TABLE snoop_definitions;
