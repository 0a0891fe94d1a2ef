import type { Agent, AgentStatus } from './types.js';

/** The agents table as both drivers return it (text[] as arrays, timestamptz as Date, jsonb parsed). */
export interface AgentRow {
  id: string;
  name: string;
  type: string;
  description: string;
  status: AgentStatus;
  capabilities: string[];
  model: string | null;
  system_prompt: string;
  tools: string[];
  configuration: Record<string, unknown>;
  source: string;
  last_heartbeat: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const AGENT_COLUMNS =
  'id, name, type, description, status, capabilities, model, system_prompt, tools, configuration, ' +
  'source, last_heartbeat, created_at, updated_at';

export function toAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    description: row.description,
    status: row.status,
    capabilities: row.capabilities,
    model: row.model,
    systemPrompt: row.system_prompt,
    tools: row.tools,
    configuration: row.configuration,
    source: row.source,
    lastHeartbeat: toDate(row.last_heartbeat),
    createdAt: toDate(row.created_at)!,
    updatedAt: toDate(row.updated_at)!,
  };
}

export function toDate(value: Date | string | null): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(value);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` can be cast to uuid; anything else must never reach a `::uuid` cast. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
