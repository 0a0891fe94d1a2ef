/**
 * Issue 12 (optimizer, item 4): when each target's limit was last changed by the optimizer, so
 * the stepwise policy's "at most one step per target per day" holds across restarts and across
 * processes sharing one database. One row per target (`container:redis`, `mcp:fs`, `ollama:ollama`).
 */
export const sql = `
CREATE TABLE optimizer_steps (
  target text PRIMARY KEY,
  stepped_at timestamptz NOT NULL,
  change_id text NOT NULL,
  from_value text,
  to_value text NOT NULL,
  backup_id text
);
`;
