// Shapes of the API answers the pages read (docs/api.md and src/http/routes/*.ts).
export type Role = 'admin' | 'user';
export interface Me {
  kind: string;
  id: string;
  name: string;
  role: Role;
}
export type ProbeStatus = 'up' | 'down' | 'unknown';
export interface Check {
  name: string;
  required: boolean;
  status: ProbeStatus;
  latency_ms: number | null;
  checked_at: string | null;
  error: string | null;
}
export interface HealthDetailed {
  status: 'up' | 'degraded' | 'down';
  ready: boolean;
  version: string;
  uptime_seconds: number;
  checks: Check[];
}
export interface Findings {
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
}
export interface Overview {
  queue: { by_state: Record<string, number>; throughput_per_min: number; lag_ms: number | null };
  mcp: { by_state: Record<string, number> };
  llm: {
    backends: Array<{
      name: string;
      url: string;
      breaker: 'closed' | 'open' | 'half_open';
      models: Array<{ name: string; slots_in_use: number; slots_max: number }>;
    }>;
  };
  doctor: { at: string | null; findings: Findings };
}
export type TaskStatus = 'pending' | 'running' | 'completed' | 'cancelled' | 'dead';
export interface Task {
  id: string;
  agent_id: string | null;
  type: string;
  payload: unknown;
  status: TaskStatus;
  priority: number;
  attempts: number;
  max_attempts: number;
  cancel_requested: boolean;
  result: unknown;
  error: string | null;
  run_at: string;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
export interface Step {
  seq: number;
  attempt: number;
  kind: 'model' | 'tool';
  tool_name: string | null;
  tool_call_id: string | null;
  arguments: unknown;
  result: unknown;
  /** A model turn's assistant message (content and tool_calls); null for tool steps. */
  message?: { content?: string; tool_calls?: unknown[] } | null;
  error: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  duration_ms: number | null;
  created_at: string;
}
export interface TaskType {
  type: string;
  summary: string;
  payload_schema: Record<string, unknown>;
}
export interface Agent {
  id: string;
  name: string;
  type: string;
  description: string;
  status: string;
  capabilities: string[];
  model: string | null;
  system_prompt: string;
  tools: string[];
  source: string;
  read_only: boolean;
  last_heartbeat: string | null;
  created_at: string;
  updated_at: string;
}
export interface AgentStats {
  success_rate: number | null;
  finished_considered: number;
  task_counts: Record<string, number>;
  token_usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}
export type McpState = 'disabled' | 'stopped' | 'starting' | 'ready' | 'crashloop';
export interface McpServer {
  name: string;
  transport: string;
  state: McpState;
  sharing: string;
  pids: number[];
  restarts: number;
  consecutiveFailures: number;
  backoffMs: number[];
  retryAt: string | null;
  uptimeMs: number | null;
  lastError: string | null;
  inFlight: number;
  queued: number;
  stderr?: string[];
}
export interface McpTool {
  name: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
}
export interface Conversation {
  id: string;
  title: string;
  model: string;
  agent_id: string | null;
  updated_at: string;
}
export interface StoredMessage {
  id: number;
  role: string;
  content: string;
  created_at: string;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}
export interface BackendModels {
  backend: string;
  breaker: string;
  models: Array<{ name: string; size?: number }>;
  error?: string;
}
export interface Finding {
  ruleId: string;
  severity: keyof Findings;
  service: string;
  message: string;
  evidence: Record<string, unknown>;
  remediation?: string;
  fingerprint: string;
  suppressed?: { reason: string };
}
export interface DoctorReport {
  generatedAt: string;
  partial: boolean;
  sources: Array<{ name: string; status: string; reason?: string }>;
  findings: Finding[];
  summary: { total: number; suppressed: number; bySeverity: Findings };
}
export interface FixPlan {
  createdAt: string;
  actions: Array<Record<string, unknown> & { kind: string }>;
  manual: Array<{ ruleId: string; service: string; message: string; remediation: string }>;
  /** Dry runs only: per compose file, the unified diff apply would write. */
  composeDiffs?: ComposeDiff[];
}
export interface ComposeDiff {
  path: string;
  diff: string;
  truncated: boolean;
}
export interface Backup {
  id: string;
  createdAt: string;
  outcome?: string;
  actions: number;
}
export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}
export interface User {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  created_at: string;
}
