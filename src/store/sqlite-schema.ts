import type { Migration } from './sqlite-db.ts';

/**
 * Round store tables. Ballots hold voter keys (keyed hashes) only; a box's
 * ballots are deleted when it is sealed, leaving only `tallies`.
 * Child rows cascade when their round is deleted.
 */
export const STORE_MIGRATIONS: readonly Migration[] = [
  {
    name: 'store-1',
    sql: `
CREATE TABLE IF NOT EXISTS rounds (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  doc TEXT NOT NULL,
  platform TEXT NOT NULL,
  tenant TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  status TEXT NOT NULL,
  step TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS rounds_by_conversation
  ON rounds (platform, tenant, conversation_id, created_at DESC);
CREATE TABLE IF NOT EXISTS open_boxes (
  round_id TEXT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
  box TEXT NOT NULL,
  PRIMARY KEY (round_id, box)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ballots (
  round_id TEXT NOT NULL,
  box TEXT NOT NULL,
  voter_key TEXT NOT NULL,
  value TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (round_id, box, voter_key),
  FOREIGN KEY (round_id, box) REFERENCES open_boxes (round_id, box) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tallies (
  round_id TEXT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
  box TEXT NOT NULL,
  ballots INTEGER NOT NULL,
  counts TEXT NOT NULL,
  PRIMARY KEY (round_id, box)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS participants (
  round_id TEXT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
  voter_key TEXT NOT NULL,
  joined_at INTEGER NOT NULL,
  PRIMARY KEY (round_id, voter_key)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_by_expiry ON idempotency (expires_at);
`,
  },
  {
    // What channels remember: conversation references (JSON text) and which
    // platform message shows which view. Not tied to a round: a conversation
    // outlives its rounds.
    name: 'store-2-channel-memory',
    sql: `
CREATE TABLE IF NOT EXISTS channel_conversations (
  platform TEXT NOT NULL,
  tenant TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  data TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (platform, tenant, conversation_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS channel_messages (
  platform TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  key TEXT NOT NULL,
  message_id TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (platform, conversation_id, key)
) STRICT, WITHOUT ROWID;
`,
  },
  {
    // App installations from an OAuth flow (Slack: one per workspace, or per
    // organisation for an org-wide install). `data` is the channel's sealed
    // text (tokens encrypted); `organisation` finds a workspace install from
    // its organisation id. And: rounds of a tenant, newest first (App Home).
    name: 'store-3-installations',
    sql: `
CREATE TABLE IF NOT EXISTS installations (
  platform TEXT NOT NULL,
  key TEXT NOT NULL,
  organisation TEXT,
  data TEXT NOT NULL,
  -- Increases with every save: "the most recently saved" without trusting clocks.
  seq INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (platform, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS installations_by_organisation
  ON installations (platform, organisation, seq DESC);
CREATE INDEX IF NOT EXISTS rounds_by_tenant
  ON rounds (platform, tenant, created_at DESC);
`,
  },
  {
    // Retention: when the round's retention period began (`keepUntil(state, 0)`:
    // the last change of an ended round whose follow-up items are all done),
    // else NULL. The period itself is the deployment's (RETENTION_DAYS), applied
    // when purging, so changing it applies to every round. Existing rows are
    // filled in from their documents. And: rounds of a platform (user forget).
    name: 'store-4-retention',
    sql: `
ALTER TABLE rounds ADD COLUMN retained_since INTEGER;
UPDATE rounds SET retained_since = updated_at
  WHERE status = 'ended' AND NOT EXISTS (
    SELECT 1 FROM json_each(doc, '$.plan') WHERE json_extract(value, '$.status') <> 'done');
CREATE INDEX IF NOT EXISTS rounds_by_retention
  ON rounds (retained_since) WHERE retained_since IS NOT NULL;
CREATE INDEX IF NOT EXISTS rounds_by_platform ON rounds (platform, created_at DESC);
`,
  },
];
