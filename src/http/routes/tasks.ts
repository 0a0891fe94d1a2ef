import { z } from 'zod';
import { ownerIdOf, ownerScopeOf } from '../../auth/index.js';
import { SutazaiError } from '../../errors.js';
import {
  decodeCursor,
  MAX_BATCH_ENQUEUE,
  type EnqueueInput,
  type QueuedTask,
  type TaskQueue,
  UnknownAgentError,
} from '../../tasks/index.js';
import type { RouteModule } from '../app.js';
import { admitBatch, admitTask, type AdmissionDeps } from './task-admission.js';

export interface TasksRouteDeps extends AdmissionDeps {
  queue: Pick<TaskQueue, 'enqueue' | 'enqueueBatch' | 'get' | 'list' | 'cancel'>;
}

const STATUS = z.enum(['pending', 'running', 'completed', 'cancelled', 'dead']);

const CreateTaskBody = z.strictObject({
  type: z.string().min(1).max(200),
  /** Checked against the type's schema (GET /api/v1/task-types) before anything is stored. */
  payload: z.unknown().default({}),
  priority: z.number().int().min(-1_000_000).max(1_000_000).optional(),
  /** The agent that works the task, by name; or `agent_id` (its id, or its name). */
  agent: z.string().min(1).max(200).optional(),
  agent_id: z.string().min(1).max(200).optional(),
  run_at: z.iso.datetime({ offset: true }).optional(),
  max_attempts: z.number().int().min(1).max(100).optional(),
});

const CreateBatchBody = z.strictObject({
  /** At most MAX_BATCH_ENQUEUE (1000) tasks, stored in one transaction: all or none. */
  items: z.array(CreateTaskBody).min(1).max(MAX_BATCH_ENQUEUE),
});

const TaskBody = z.object({
  id: z.string(),
  agent_id: z.string().nullable(),
  type: z.string(),
  payload: z.unknown(),
  status: STATUS,
  priority: z.number(),
  attempts: z.number(),
  max_attempts: z.number(),
  cancel_requested: z.boolean(),
  result: z.unknown(),
  error: z.string().nullable(),
  run_at: z.string(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
});

const IdParams = z.object({ id: z.string() });

const TaskTypeBody = z.object({
  type: z.string(),
  summary: z.string(),
  payload_schema: z.record(z.string(), z.unknown()),
});

const ListQuery = z.strictObject({
  status: STATUS.optional(),
  agent_id: z.guid().optional(),
  type: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});

export function toTaskBody(task: QueuedTask): z.infer<typeof TaskBody> {
  return {
    id: task.id,
    agent_id: task.agentId,
    type: task.type,
    payload: task.payload,
    status: task.status,
    priority: task.priority,
    attempts: task.attempts,
    max_attempts: task.maxAttempts,
    cancel_requested: task.cancelRequested,
    result: task.result,
    error: task.error,
    run_at: task.runAt.toISOString(),
    created_at: task.createdAt.toISOString(),
    started_at: task.startedAt?.toISOString() ?? null,
    completed_at: task.completedAt?.toISOString() ?? null,
  };
}

function unknownAgent(agentId: string, path = 'body.agent_id'): SutazaiError {
  return new SutazaiError(
    'SUTAZAI_ERR_HTTP_VALIDATION',
    {},
    { details: [{ path, message: `agent ${agentId} does not exist` }] },
  );
}

type CreateTask = z.infer<typeof CreateTaskBody>;

/** The queue's input for an admitted task, with the submitter's role and ownership. */
function enqueueInput(
  body: CreateTask,
  admitted: { payload: unknown; agentId: string | undefined },
  principal: Parameters<typeof ownerIdOf>[0],
): EnqueueInput {
  return {
    type: body.type,
    payload: admitted.payload,
    ...(body.priority !== undefined ? { priority: body.priority } : {}),
    ...(admitted.agentId ? { agentId: admitted.agentId } : {}),
    // Outbound connections made for the task obey its submitter's role (decision 0017).
    requestedByRole: principal?.role ?? 'user',
    ...(body.run_at ? { runAt: new Date(body.run_at) } : {}),
    ...(body.max_attempts !== undefined ? { maxAttempts: body.max_attempts } : {}),
    ownerId: ownerIdOf(principal),
  };
}

/**
 * POST/GET /api/v1/tasks, GET /api/v1/tasks/{id}, POST /api/v1/tasks/{id}/cancel. A task belongs
 * to its creator: non-admins list, read and cancel only their own; others' answer 404.
 */
export function tasksRoutes(deps: TasksRouteDeps): RouteModule {
  return (app) => {
    app.post(
      '/api/v1/tasks',
      {
        schema: {
          tags: ['tasks'],
          summary: 'Enqueue a task; answers after it is stored',
          body: CreateTaskBody,
          response: { 202: z.object({ id: z.string(), status: STATUS }) },
        },
        config: { rateLimit: 'expensive' },
      },
      async (request, reply) => {
        const body = request.body;
        const admitted = await admitTask(deps, body);
        try {
          const task = await deps.queue.enqueue(enqueueInput(body, admitted, request.principal));
          return reply.status(202).send({ id: task.id, status: task.status });
        } catch (err) {
          if (err instanceof UnknownAgentError) throw unknownAgent(err.agentId);
          throw err;
        }
      },
    );

    app.post(
      '/api/v1/tasks/batch',
      {
        schema: {
          tags: ['tasks'],
          summary: `Enqueue up to ${MAX_BATCH_ENQUEUE} tasks in one transaction (all or none); answers after they are stored`,
          body: CreateBatchBody,
          response: { 202: z.object({ items: z.array(z.object({ id: z.string(), status: STATUS })) }) },
        },
        config: { rateLimit: 'expensive' },
      },
      async (request, reply) => {
        const { items } = request.body;
        const admitted = await admitBatch(deps, items);
        try {
          const tasks = await deps.queue.enqueueBatch(
            items.map((item, i) => enqueueInput(item, admitted[i]!, request.principal)),
          );
          return reply.status(202).send({ items: tasks.map((t) => ({ id: t.id, status: t.status })) });
        } catch (err) {
          if (err instanceof UnknownAgentError) {
            const i = admitted.findIndex((a) => a.agentId === err.agentId);
            throw unknownAgent(err.agentId, `body.items.${Math.max(i, 0)}.agent_id`);
          }
          throw err;
        }
      },
    );

    app.get(
      '/api/v1/task-types',
      {
        schema: {
          tags: ['tasks'],
          summary: 'Task types this platform runs, with the JSON Schema of each payload',
          response: { 200: z.object({ items: z.array(TaskTypeBody) }) },
        },
      },
      async () => ({
        items: [...deps.taskTypes.values()].map((t) => ({
          type: t.type,
          summary: t.summary,
          payload_schema: z.toJSONSchema(t.payload, { io: 'input', unrepresentable: 'any' }) as Record<
            string,
            unknown
          >,
        })),
      }),
    );

    app.get(
      '/api/v1/tasks',
      {
        schema: {
          tags: ['tasks'],
          summary: 'List tasks, newest first, with cursor pagination',
          querystring: ListQuery,
          response: { 200: z.object({ items: z.array(TaskBody), next_cursor: z.string().nullable() }) },
        },
      },
      async (request) => {
        const q = request.query;
        const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
        if (q.cursor !== undefined && !cursor) throw new SutazaiError('SUTAZAI_ERR_TASK_BAD_CURSOR');
        const owner = ownerScopeOf(request.principal);
        const page = await deps.queue.list({
          limit: q.limit,
          ...(owner !== undefined ? { owner } : {}),
          ...(q.status ? { status: q.status } : {}),
          ...(q.agent_id ? { agentId: q.agent_id } : {}),
          ...(q.type ? { type: q.type } : {}),
          ...(cursor ? { cursor } : {}),
        });
        return { items: page.items.map(toTaskBody), next_cursor: page.nextCursor };
      },
    );

    app.get(
      '/api/v1/tasks/:id',
      { schema: { tags: ['tasks'], summary: 'One task', params: IdParams, response: { 200: TaskBody } } },
      async (request) => {
        const task = await deps.queue.get(request.params.id, ownerScopeOf(request.principal));
        if (!task) throw new SutazaiError('SUTAZAI_ERR_TASK_NOT_FOUND', { id: request.params.id });
        return toTaskBody(task);
      },
    );

    app.post(
      '/api/v1/tasks/:id/cancel',
      {
        schema: {
          tags: ['tasks'],
          summary: 'Cancel a task: pending at once, running at its next checkpoint',
          params: IdParams,
          response: { 200: TaskBody },
        },
      },
      async (request) =>
        toTaskBody(await deps.queue.cancel(request.params.id, ownerScopeOf(request.principal))),
    );
  };
}
