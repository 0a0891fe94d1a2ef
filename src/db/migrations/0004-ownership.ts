/**
 * Ownership (issue 9): tasks record the user who created them, so a non-admin sees and cancels
 * only their own. Conversations already had `owner` (text) but recorded an API key's own id for
 * key callers; from now on the key's owning user is recorded, and existing rows are moved over.
 * Existing tasks have no owner: only admins see them. `users.tokens_valid_after` lets a password
 * change end access tokens issued before it.
 *
 * No foreign key from tasks to users on purpose (see 0003): tests reset tables with plain
 * TRUNCATE, and a deleted user's tasks stay as history, visible to admins.
 */
export const sql = `
ALTER TABLE tasks ADD COLUMN owner_id uuid;
CREATE INDEX tasks_owner_created_idx ON tasks (owner_id, created_at DESC, id DESC);

UPDATE conversations c SET owner = k.user_id::text
  FROM api_keys k
  WHERE c.owner = k.id::text AND k.user_id IS NOT NULL;
CREATE INDEX conversations_owner_idx ON conversations (owner, updated_at DESC);

ALTER TABLE users ADD COLUMN tokens_valid_after timestamptz;
`;
