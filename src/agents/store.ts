import type { Db, Queryable } from '../db/index.js';
import { SutazaiError } from '../errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { AGENT_COLUMNS, isUuid, toAgent, type AgentRow } from './rows.js';
import { getAgentStats } from './stats.js';
import {
  AGENT_NAME_PATTERN,
  isFileSource,
  type Agent,
  type AgentDefinition,
  type AgentListQuery,
  type AgentPage,
  type AgentPatch,
  type AgentStats,
} from './types.js';

/** CRUD over the agents table. Agents whose source is a file are read-only here. */
export interface AgentStore {
  list(query?: AgentListQuery): Promise<AgentPage>;
  /** By id or by name; undefined when there is none (including malformed ids). */
  find(idOrName: string): Promise<Agent | undefined>;
  /** Like find, but throws SUTAZAI_ERR_AGENT_NOT_FOUND. */
  get(idOrName: string): Promise<Agent>;
  /** Throws SUTAZAI_ERR_AGENT_NAME_TAKEN when the name exists. */
  create(definition: AgentDefinition): Promise<Agent>;
  /** Throws NOT_FOUND, FILE_MANAGED, or NAME_TAKEN on a rename onto an existing name. */
  update(idOrName: string, patch: AgentPatch): Promise<Agent>;
  /** Tasks keep their rows; the foreign key sets their agent_id to null. */
  delete(idOrName: string): Promise<void>;
  /** `owner` set: recent tasks are only that owner's (see src/auth/owner.ts). */
  getStats(idOrName: string, owner?: string): Promise<AgentStats>;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export function createAgentStore(db: Db): AgentStore {
  const store: AgentStore = {
    list: (query = {}) => listAgents(db, query),
    find: (idOrName) => findAgent(db, idOrName),
    async get(idOrName) {
      const agent = await findAgent(db, idOrName);
      if (!agent) throw new SutazaiError('SUTAZAI_ERR_AGENT_NOT_FOUND', { id: idOrName });
      return agent;
    },
    create: (definition) => createAgent(db, definition),
    update: (idOrName, patch) => updateAgent(db, store, idOrName, patch),
    delete: (idOrName) => deleteAgent(db, store, idOrName),
    async getStats(idOrName, owner) {
      return getAgentStats(db, await store.get(idOrName), owner);
    },
  };
  return store;
}

/** Alias kept for callers that think of it as a repository. */
export const agentRepository = createAgentStore;

export async function findAgent(db: Queryable, idOrName: string): Promise<Agent | undefined> {
  let result;
  if (isUuid(idOrName)) {
    // A lower-case uuid is also a valid name: prefer the id match, fall back to the name.
    result = await db.query<AgentRow>(
      `SELECT ${AGENT_COLUMNS} FROM agents WHERE id = $1::uuid OR name = $2
       ORDER BY (id = $1::uuid) DESC LIMIT 1`,
      [idOrName, idOrName],
    );
  } else if (AGENT_NAME_PATTERN.test(idOrName)) {
    result = await db.query<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE name = $1`, [idOrName]);
  } else {
    return undefined;
  }
  const row = result.rows[0];
  return row ? toAgent(row) : undefined;
}

async function listAgents(db: Db, query: AgentListQuery): Promise<AgentPage> {
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.status) where.push(`status = $${params.push(query.status)}`);
  if (query.capability) where.push(`capabilities @> ARRAY[$${params.push(query.capability)}]::text[]`);
  if (query.cursor) where.push(`name > $${params.push(decodeCursor(query.cursor))}`);
  const sql =
    `SELECT ${AGENT_COLUMNS} FROM agents` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY name LIMIT $${params.push(limit + 1)}`;
  const rows = (await db.query<AgentRow>(sql, params)).rows;
  const items = rows.slice(0, limit).map(toAgent);
  const nextCursor = rows.length > limit ? encodeCursor(items[items.length - 1]!.name) : null;
  return { items, nextCursor };
}

async function createAgent(db: Db, def: AgentDefinition): Promise<Agent> {
  const result = await db.query<AgentRow>(
    `INSERT INTO agents (name, type, description, capabilities, model, system_prompt, tools, configuration, source)
     VALUES ($1, $2, $3, $4::text[], $5, $6, $7::text[], $8::jsonb, 'api')
     ON CONFLICT (name) DO NOTHING
     RETURNING ${AGENT_COLUMNS}`,
    [
      def.name,
      def.type ?? 'generic',
      def.description,
      def.capabilities,
      def.model ?? null,
      def.systemPrompt,
      def.tools,
      JSON.stringify(def.configuration),
    ],
  );
  const row = result.rows[0];
  if (!row) throw new SutazaiError('SUTAZAI_ERR_AGENT_NAME_TAKEN', { name: def.name });
  return toAgent(row);
}

const PATCH_COLUMNS: Record<keyof AgentPatch, string> = {
  name: 'name',
  type: 'type',
  description: 'description',
  capabilities: 'capabilities',
  model: 'model',
  systemPrompt: 'system_prompt',
  tools: 'tools',
  configuration: 'configuration',
};

function patchAssignments(patch: AgentPatch, params: unknown[]): string[] {
  const sets: string[] = [];
  for (const [key, column] of Object.entries(PATCH_COLUMNS) as Array<[keyof AgentPatch, string]>) {
    const value = patch[key];
    if (value === undefined) continue;
    const param = key === 'configuration' ? JSON.stringify(value) : value;
    const cast = key === 'configuration' ? '::jsonb' : Array.isArray(value) ? '::text[]' : '';
    sets.push(`${column} = $${params.push(param)}${cast}`);
  }
  return sets;
}

async function updateAgent(db: Db, store: AgentStore, idOrName: string, patch: AgentPatch): Promise<Agent> {
  const current = writableAgent(await store.get(idOrName));
  const params: unknown[] = [current.id];
  const sets = patchAssignments(patch, params);
  sets.push('updated_at = now()');
  try {
    const result = await db.query<AgentRow>(
      `UPDATE agents SET ${sets.join(', ')} WHERE id = $1 AND source = 'api' RETURNING ${AGENT_COLUMNS}`,
      params,
    );
    const row = result.rows[0];
    if (row) return toAgent(row);
  } catch (err) {
    if ((err as { code?: string }).code === '23505' && patch.name !== undefined) {
      throw new SutazaiError('SUTAZAI_ERR_AGENT_NAME_TAKEN', { name: patch.name }, { cause: err });
    }
    throw err;
  }
  // Deleted or taken over by a file between the read and the write: report what it is now.
  writableAgent(await store.get(current.id));
  throw new SutazaiError('SUTAZAI_ERR_AGENT_NOT_FOUND', { id: idOrName });
}

async function deleteAgent(db: Db, store: AgentStore, idOrName: string): Promise<void> {
  const current = writableAgent(await store.get(idOrName));
  const result = await db.query(`DELETE FROM agents WHERE id = $1 AND source = 'api' RETURNING id`, [
    current.id,
  ]);
  if (result.rows.length === 0) {
    writableAgent(await store.get(current.id));
    throw new SutazaiError('SUTAZAI_ERR_AGENT_NOT_FOUND', { id: idOrName });
  }
}

/** File-defined agents are changed by editing their file; the API refuses with a pointer to it. */
function writableAgent(agent: Agent): Agent {
  if (isFileSource(agent.source)) {
    const file = agent.source.slice('file:'.length);
    throw new SutazaiError(
      'SUTAZAI_ERR_AGENT_FILE_MANAGED',
      { name: agent.name, path: file },
      { details: { source: agent.source } },
    );
  }
  return agent;
}
