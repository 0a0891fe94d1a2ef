/**
 * Conversations and their messages (chat API), task_steps (the agent runner's per-step journal,
 * which lets a re-delivered task resume after its last completed step) and the routing columns on
 * tasks.
 *
 * No foreign keys to agents or tasks on purpose: other areas reset those tables with a plain
 * `TRUNCATE tasks, agents`, which PostgreSQL refuses while another table references them. A
 * conversation keeps its agent id as history; task_steps of a deleted task are removed by
 * `deleteStepsOfMissingTasks` (src/agents/runner/steps.ts) when the queue prunes tasks.
 */
export const sql = `
CREATE TABLE conversations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title text NOT NULL DEFAULT '',
  model text NOT NULL,
  agent_id uuid,
  owner text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_updated_idx ON conversations (updated_at DESC, id DESC);

CREATE TABLE messages (
  id bigserial PRIMARY KEY,
  conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
  content text NOT NULL DEFAULT '',
  tool_calls jsonb,
  usage jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, id);

CREATE TABLE task_steps (
  task_id uuid NOT NULL,
  seq integer NOT NULL,
  attempt integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('model', 'tool')),
  tool_name text,
  tool_call_id text,
  arguments jsonb,
  message jsonb,
  result jsonb,
  error text,
  prompt_tokens integer NOT NULL DEFAULT 0,
  completion_tokens integer NOT NULL DEFAULT 0,
  duration_ms double precision NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (task_id, seq)
);

ALTER TABLE tasks ADD COLUMN routing_score double precision;
ALTER TABLE tasks ADD COLUMN routing_reason text;
`;
