import { z } from 'zod';
import { ownerScopeOf } from '../../auth/index.js';
import {
  agentDescription,
  agentName,
  agentType,
  capability,
  capabilityList,
  configuration,
  modelName,
  systemPrompt,
  toolList,
  unique,
} from '../../agents/fields.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type AgentStore } from '../../agents/store.js';
import {
  AGENT_STATUSES,
  isFileSource,
  type Agent,
  type AgentPatch,
  type AgentStats,
} from '../../agents/types.js';
import type { RouteModule } from '../app.js';

export interface AgentsRouteDeps {
  store: AgentStore;
}

const AgentStatusSchema = z.enum(AGENT_STATUSES);

const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

export const AgentJsonSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  description: z.string(),
  status: AgentStatusSchema,
  capabilities: z.array(z.string()),
  model: z.string().nullable(),
  system_prompt: z.string(),
  tools: z.array(z.string()),
  configuration: z.record(z.string(), z.unknown()),
  /** `api`, or `file:<path>` for agents defined by a file (read-only through the API). */
  source: z.string(),
  read_only: z.boolean(),
  last_heartbeat: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const StatsJsonSchema = z.object({
  recent_tasks: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      status: z.string(),
      created_at: z.string(),
      completed_at: z.string().nullable(),
    }),
  ),
  success_rate: z.number().nullable(),
  finished_considered: z.number().int(),
  task_counts: z.record(z.string(), z.number().int()),
  token_usage: z.object({
    prompt_tokens: z.number(),
    completion_tokens: z.number(),
    total_tokens: z.number(),
  }),
  status: AgentStatusSchema,
  last_heartbeat: z.string().nullable(),
});

const AgentDetailSchema = AgentJsonSchema.extend({ stats: StatsJsonSchema });

const CreateBody = z.strictObject({
  name: agentName,
  type: agentType.optional(),
  // Optional like in agent files (the seed's agent schema has none): stored as ''.
  description: agentDescription.default(''),
  capabilities: capabilityList.default([]),
  model: modelName.nullable().optional(),
  system_prompt: systemPrompt.min(1),
  tools: toolList.default([]),
  configuration: configuration.default({}),
});

const PatchBody = z
  .strictObject({
    name: agentName.optional(),
    type: agentType.optional(),
    description: agentDescription.optional(),
    capabilities: capabilityList.optional(),
    model: modelName.nullable().optional(),
    system_prompt: systemPrompt.min(1).optional(),
    tools: toolList.optional(),
    configuration: configuration.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'the body must change at least one field');

const ListQuery = z.object({
  status: AgentStatusSchema.optional(),
  capability: capability.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().max(1024).optional(),
});

/** `id` accepts the agent's uuid or its name; anything else is a 404, never a 500. */
const IdParams = z.object({ id: z.string() });

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toAgentJson(agent: Agent): z.infer<typeof AgentJsonSchema> {
  return {
    id: agent.id,
    name: agent.name,
    type: agent.type,
    description: agent.description,
    status: agent.status,
    capabilities: agent.capabilities,
    model: agent.model,
    system_prompt: agent.systemPrompt,
    tools: agent.tools,
    configuration: agent.configuration,
    source: agent.source,
    read_only: isFileSource(agent.source),
    last_heartbeat: iso(agent.lastHeartbeat),
    created_at: agent.createdAt.toISOString(),
    updated_at: agent.updatedAt.toISOString(),
  };
}

export function toStatsJson(stats: AgentStats): z.infer<typeof StatsJsonSchema> {
  return {
    recent_tasks: stats.recentTasks.map((t) => ({
      id: t.id,
      type: t.type,
      status: t.status,
      created_at: t.createdAt.toISOString(),
      completed_at: iso(t.completedAt),
    })),
    success_rate: stats.successRate,
    finished_considered: stats.finishedConsidered,
    task_counts: stats.taskCounts,
    token_usage: {
      prompt_tokens: stats.tokenUsage.promptTokens,
      completion_tokens: stats.tokenUsage.completionTokens,
      total_tokens: stats.tokenUsage.totalTokens,
    },
    status: stats.status,
    last_heartbeat: iso(stats.lastHeartbeat),
  };
}

function toPatch(body: z.infer<typeof PatchBody>): AgentPatch {
  const patch: AgentPatch = {};
  if (body.name !== undefined) patch.name = body.name;
  if (body.type !== undefined) patch.type = body.type;
  if (body.description !== undefined) patch.description = body.description;
  if (body.capabilities !== undefined) patch.capabilities = unique(body.capabilities);
  if (body.model !== undefined) patch.model = body.model;
  if (body.system_prompt !== undefined) patch.systemPrompt = body.system_prompt;
  if (body.tools !== undefined) patch.tools = unique(body.tools);
  if (body.configuration !== undefined) patch.configuration = body.configuration;
  return patch;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/** The agent registry's HTTP API: /api/v1/agents. Writes need the admin role. */
export function agentsRoutes(deps: AgentsRouteDeps): RouteModule {
  const { store } = deps;
  return (app) => {
    app.post(
      '/api/v1/agents',
      {
        schema: {
          tags: ['agents'],
          summary: 'Register an agent (admin)',
          body: CreateBody,
          response: { 201: AgentJsonSchema, ...errors },
        },
        config: { access: 'admin' },
      },
      async (request, reply) => {
        const b = request.body;
        const agent = await store.create({
          name: b.name,
          ...(b.type ? { type: b.type } : {}),
          description: b.description,
          capabilities: unique(b.capabilities),
          model: b.model ?? null,
          systemPrompt: b.system_prompt,
          tools: unique(b.tools),
          configuration: b.configuration,
        });
        return reply.status(201).send(toAgentJson(agent));
      },
    );

    app.get(
      '/api/v1/agents',
      {
        schema: {
          tags: ['agents'],
          summary: 'List agents, filtered by status or capability, with cursor pagination',
          querystring: ListQuery,
          response: {
            200: z.object({ items: z.array(AgentJsonSchema), next_cursor: z.string().nullable() }),
            ...errors,
          },
        },
      },
      async (request) => {
        const q = request.query;
        const page = await store.list({
          ...(q.status ? { status: q.status } : {}),
          ...(q.capability ? { capability: q.capability } : {}),
          ...(q.cursor ? { cursor: q.cursor } : {}),
          limit: q.limit,
        });
        return { items: page.items.map(toAgentJson), next_cursor: page.nextCursor };
      },
    );

    app.get(
      '/api/v1/agents/:id',
      {
        schema: {
          tags: ['agents'],
          summary: 'One agent with its task statistics',
          params: IdParams,
          response: { 200: AgentDetailSchema, ...errors },
        },
      },
      async (request) => {
        const agent = await store.get(request.params.id);
        const stats = await store.getStats(agent.id, ownerScopeOf(request.principal));
        return { ...toAgentJson(agent), stats: toStatsJson(stats) };
      },
    );

    app.patch(
      '/api/v1/agents/:id',
      {
        schema: {
          tags: ['agents'],
          summary: 'Change an agent (admin)',
          params: IdParams,
          body: PatchBody,
          response: { 200: AgentJsonSchema, ...errors },
        },
        config: { access: 'admin' },
      },
      async (request) => toAgentJson(await store.update(request.params.id, toPatch(request.body))),
    );

    app.delete(
      '/api/v1/agents/:id',
      {
        schema: {
          tags: ['agents'],
          summary: 'Delete an agent (admin)',
          params: IdParams,
          response: { 204: z.null(), ...errors },
        },
        config: { access: 'admin' },
      },
      async (request, reply) => {
        await store.delete(request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
