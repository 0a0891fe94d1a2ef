import { z } from 'zod';
import { SutazaiError } from '../../errors.js';
import type { TaskTypeInfo } from '../../tasks/index.js';

/**
 * What POST /api/v1/tasks checks before it stores a task: the type is known (or names an agent),
 * the payload matches the type's schema, and the agent named by `agent`, `agent_id` or the
 * payload exists. Failures are 400s whose details name the field path (`body.payload.url`).
 */
export interface AdmissionDeps {
  taskTypes: ReadonlyMap<string, TaskTypeInfo>;
  /** Agent by id or name; without it `agent_id` must be a UUID and the database checks it. */
  findAgent?: (idOrName: string) => Promise<{ id: string } | undefined>;
}

export interface AdmissionInput {
  type: string;
  payload: unknown;
  agent?: string | undefined;
  agent_id?: string | undefined;
}

export interface Admitted {
  payload: unknown;
  agentId: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Tasks that name an agent but have a type of their own carry any JSON object or value. */
const ANY_PAYLOAD = z.unknown();

export function invalid(path: string, message: string): SutazaiError {
  return new SutazaiError('SUTAZAI_ERR_HTTP_VALIDATION', {}, { details: [{ path, message }] });
}

export async function admitTask(deps: AdmissionDeps, body: AdmissionInput): Promise<Admitted> {
  if (body.agent !== undefined && body.agent_id !== undefined)
    throw invalid('body.agent', 'give agent or agent_id, not both');
  const named = body.agent ?? body.agent_id;
  const known = deps.taskTypes.get(body.type);
  if (!known && named === undefined && body.type !== 'agent.run')
    throw new SutazaiError('SUTAZAI_ERR_TASK_UNKNOWN_TYPE', { type: body.type });
  const payload = checkPayload(known?.payload ?? ANY_PAYLOAD, body.payload);
  if (named !== undefined) {
    const field = body.agent !== undefined ? 'body.agent' : 'body.agent_id';
    return { payload, agentId: await resolveAgent(deps, named, field) };
  }
  const inPayload = body.type === 'agent.run' ? payloadAgent(payload) : undefined;
  if (!inPayload) return { payload, agentId: undefined };
  return { payload, agentId: await resolveAgent(deps, inPayload.value, inPayload.path) };
}

function checkPayload(schema: z.ZodType, payload: unknown): unknown {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => ({
    path: ['body', 'payload', ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new SutazaiError('SUTAZAI_ERR_HTTP_VALIDATION', {}, { details });
}

function payloadAgent(payload: unknown): { value: string; path: string } | undefined {
  const p = (payload ?? {}) as { agent?: unknown; agent_id?: unknown };
  if (typeof p.agent === 'string') return { value: p.agent, path: 'body.payload.agent' };
  if (typeof p.agent_id === 'string') return { value: p.agent_id, path: 'body.payload.agent_id' };
  return undefined;
}

async function resolveAgent(deps: AdmissionDeps, idOrName: string, path: string): Promise<string> {
  if (!deps.findAgent) {
    if (!UUID.test(idOrName)) throw invalid(path, 'must be an agent id (UUID)');
    return idOrName.toLowerCase();
  }
  const agent = await deps.findAgent(idOrName);
  if (!agent) throw invalid(path, `agent ${idOrName} does not exist`);
  return agent.id;
}
