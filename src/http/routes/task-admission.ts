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

/**
 * `at` is the path of the task in the request: `body` for POST /api/v1/tasks, `body.items.3`
 * for the fourth item of a batch.
 */
export async function admitTask(deps: AdmissionDeps, body: AdmissionInput, at = 'body'): Promise<Admitted> {
  if (body.agent !== undefined && body.agent_id !== undefined)
    throw invalid(`${at}.agent`, 'give agent or agent_id, not both');
  const named = body.agent ?? body.agent_id;
  const known = deps.taskTypes.get(body.type);
  if (!known && named === undefined && body.type !== 'agent.run')
    throw new SutazaiError('SUTAZAI_ERR_TASK_UNKNOWN_TYPE', { type: body.type });
  const payload = checkPayload(known?.payload ?? ANY_PAYLOAD, body.payload, at);
  if (named !== undefined) {
    const field = body.agent !== undefined ? `${at}.agent` : `${at}.agent_id`;
    return { payload, agentId: await resolveAgent(deps, named, field) };
  }
  const inPayload = body.type === 'agent.run' ? payloadAgent(payload, at) : undefined;
  if (!inPayload) return { payload, agentId: undefined };
  return { payload, agentId: await resolveAgent(deps, inPayload.value, inPayload.path) };
}

function checkPayload(schema: z.ZodType, payload: unknown, at: string): unknown {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => ({
    path: [at, 'payload', ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new SutazaiError('SUTAZAI_ERR_HTTP_VALIDATION', {}, { details });
}

function payloadAgent(payload: unknown, at: string): { value: string; path: string } | undefined {
  const p = (payload ?? {}) as { agent?: unknown; agent_id?: unknown };
  if (typeof p.agent === 'string') return { value: p.agent, path: `${at}.payload.agent` };
  if (typeof p.agent_id === 'string') return { value: p.agent_id, path: `${at}.payload.agent_id` };
  return undefined;
}

/** Most per-item problems one batch answer lists. */
const MAX_BATCH_DETAILS = 100;

/**
 * Admits every item of a batch, or throws one 400 that lists the problems of every bad item
 * (up to MAX_BATCH_DETAILS), each with its path (`body.items.3.payload.url`). An unknown type
 * is a detail at `body.items.N.type` here, not a separate error code: the batch is one answer.
 */
export async function admitBatch(deps: AdmissionDeps, items: readonly AdmissionInput[]): Promise<Admitted[]> {
  const admitted: Admitted[] = [];
  const details: Array<{ path: string; message: string }> = [];
  for (const [i, item] of items.entries()) {
    const at = `body.items.${i}`;
    try {
      admitted.push(await admitTask(deps, item, at));
    } catch (err) {
      if (!(err instanceof SutazaiError)) throw err;
      if (err.code === 'SUTAZAI_ERR_TASK_UNKNOWN_TYPE')
        details.push({ path: `${at}.type`, message: `unknown task type ${item.type}` });
      else if (Array.isArray(err.details))
        details.push(...(err.details as Array<{ path: string; message: string }>));
      else details.push({ path: at, message: err.message });
    }
  }
  if (details.length > 0)
    throw new SutazaiError(
      'SUTAZAI_ERR_HTTP_VALIDATION',
      {},
      { details: details.slice(0, MAX_BATCH_DETAILS) },
    );
  return admitted;
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
