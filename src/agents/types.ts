/**
 * The agent registry's data model. An agent is a definition (name, prompt, allowed tools, model)
 * plus runtime bookkeeping (status, last heartbeat) that the worker and runner keep current.
 *
 * Status state machine (written by the runner/worker through `setAgentStatus`/`recordHeartbeat`,
 * and by the stale sweep through `markStaleAgentsOffline`):
 *
 *   idle    --runner takes a task-->  busy
 *   busy    --task finished------->  idle
 *   busy    --runner failed------->  error
 *   error   --next task/heartbeat->  busy | idle
 *   any     --no heartbeat for N ms-> offline   (markStaleAgentsOffline)
 *   offline --heartbeat------------>  idle      (recordHeartbeat)
 */
export const AGENT_STATUSES = ['idle', 'busy', 'error', 'offline'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** Agent names: lower case, starts with a letter or digit, at most 64 characters. */
export const AGENT_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Tool names as the tools contract spells them (MCP tools are `server__tool`). */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,64}$/;

/** `api` for agents created through the API; `file:<path relative to agentsDir>` for files. */
export type AgentSource = string;

export interface Agent {
  id: string;
  name: string;
  type: string;
  description: string;
  status: AgentStatus;
  capabilities: string[];
  model: string | null;
  systemPrompt: string;
  tools: string[];
  configuration: Record<string, unknown>;
  source: AgentSource;
  lastHeartbeat: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What defines an agent; the API and agent files both produce this. */
export interface AgentDefinition {
  name: string;
  type?: string;
  description: string;
  capabilities: string[];
  model?: string | null;
  systemPrompt: string;
  tools: string[];
  configuration: Record<string, unknown>;
}

export type AgentPatch = Partial<AgentDefinition>;

export interface AgentListQuery {
  status?: AgentStatus;
  /** Only agents that declare this capability. */
  capability?: string;
  /** 1..200, default 50. */
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface AgentPage {
  items: Agent[];
  nextCursor: string | null;
}

export interface RecentTask {
  id: string;
  type: string;
  status: string;
  createdAt: Date;
  completedAt: Date | null;
}

export interface AgentStats {
  recentTasks: RecentTask[];
  /** completed / (completed + dead) over the last 100 finished tasks; null when none finished. */
  successRate: number | null;
  /** How many finished tasks the success rate was computed over (at most 100). */
  finishedConsidered: number;
  /** Task counts by status, over all of the agent's tasks. */
  taskCounts: Record<'pending' | 'running' | 'completed' | 'cancelled' | 'dead', number>;
  /** Sums of result.usage over all of the agent's tasks. */
  tokenUsage: { promptTokens: number; completionTokens: number; totalTokens: number };
  status: AgentStatus;
  lastHeartbeat: Date | null;
}

export function isFileSource(source: string): boolean {
  return source.startsWith('file:');
}
