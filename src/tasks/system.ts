import type { Logger } from 'pino';
import type { QueueConfigSchema, WorkerConfigSchema } from '../config/schema.js';
import type { Db, DbKind } from '../db/index.js';
import type { z } from 'zod';
import { createOutboundGuard, type OutboundGuard } from '../net/index.js';
import { createHttpCheckTaskType } from './http-check.js';
import { listenForTasks } from './listen.js';
import { TaskQueue } from './queue.js';
import type { TaskHandler, TaskTypeDefinition, TaskTypeInfo } from './types.js';
import { Worker } from './worker.js';

export interface TaskSystemOptions {
  db: Db;
  log: Logger;
  queue: z.infer<typeof QueueConfigSchema>;
  worker: z.infer<typeof WorkerConfigSchema>;
  /** config.database.url when on PostgreSQL: enables NOTIFY on enqueue and LISTEN in the worker. */
  databaseUrl?: string;
  /** Task types besides the built-in http.check (a later one replaces an earlier of its name). */
  types?: readonly TaskTypeDefinition[];
  /** The agent runner: tasks of type agent.run or with an agent_id. */
  agentHandler?: TaskHandler;
  /** The agent.run payload's schema, listed and checked like any other type's. */
  agentPayload?: TaskTypeInfo['payload'];
  /** Checks http.check's connections; default: no allowlist. */
  outboundGuard?: OutboundGuard;
}

export interface TaskSystem {
  queue: TaskQueue;
  /** Undefined when config.worker.enabled is false (an api-only process). */
  worker: Worker | undefined;
  /** For the tasks routes: every type some worker can run, with its payload schema. */
  taskTypes: ReadonlyMap<string, TaskTypeInfo>;
  start(): Promise<void>;
  /** Idempotent; drains the worker within config.worker.drainTimeoutMs. */
  stop(): Promise<void>;
}

/** Builds the queue and (when enabled) a worker with http.check and the given handlers. */
export function createTaskSystem(options: TaskSystemOptions): TaskSystem {
  const postgres = options.db.kind === 'postgres' && !!options.databaseUrl;
  const queue = new TaskQueue(options.db, {
    maxPending: options.queue.maxPending,
    defaultMaxAttempts: options.queue.maxAttempts,
    backoffBaseMs: options.queue.backoffBaseMs,
    backoffMaxMs: options.queue.backoffMaxMs,
    notify: postgres,
    asyncWorkerCommits: asyncCommitsAllowed(options.queue.asyncWorkerCommits, options.db.kind),
  });
  const guard = options.outboundGuard ?? createOutboundGuard({ allow: [] });
  const definitions = [createHttpCheckTaskType(guard), ...(options.types ?? [])];
  const handlers = new Map<string, TaskHandler>(definitions.map((d) => [d.type, d.handler]));
  const taskTypes = new Map<string, TaskTypeInfo>(
    definitions.map(({ type, summary, payload }) => [type, { type, summary, payload }]),
  );
  if (options.agentHandler && options.agentPayload)
    taskTypes.set('agent.run', {
      type: 'agent.run',
      summary: 'Run an agent on a prompt (tool-calling loop on a local model)',
      payload: options.agentPayload,
    });
  const worker = options.worker.enabled
    ? new Worker({
        queue,
        db: options.db,
        log: options.log.child({ component: 'worker' }),
        handlers,
        ...(options.agentHandler ? { agentHandler: options.agentHandler } : {}),
        concurrency: options.worker.concurrency,
        pollIntervalMs: options.worker.pollIntervalMs,
        leaseMs: options.queue.leaseSeconds * 1000,
        drainTimeoutMs: options.worker.drainTimeoutMs,
        claimBufferMax: options.worker.claimBufferMax,
        claimBufferHoldMs: options.worker.claimBufferHoldMs,
        backendWaitMaxMs: options.queue.backendWaitMaxMs,
        ...(postgres ? { subscribe: listenForTasks(options.databaseUrl!, options.log) } : {}),
      })
    : undefined;
  return {
    queue,
    worker,
    // With the worker off (api role), workers elsewhere run the same build: the same types.
    taskTypes,
    start: async () => worker?.start(),
    stop: async () => worker?.stop(),
  };
}

/**
 * Whether worker-side commits may skip the WAL-flush wait. Only on an external PostgreSQL: it
 * keeps running when our process crashes, so an acknowledged commit still reaches its WAL. The
 * embedded engine has no WAL writer of its own: an unflushed commit stays in our memory and dies
 * with us (the config refuses `true` there; this is the second fence).
 */
export function asyncCommitsAllowed(setting: boolean | 'auto', kind: DbKind): boolean {
  return kind === 'postgres' && setting !== false;
}
