import type { Logger } from 'pino';
import type { QueueConfigSchema, WorkerConfigSchema } from '../config/schema.js';
import type { Db, DbKind } from '../db/index.js';
import type { z } from 'zod';
import { HTTP_CHECK_TYPE, httpCheckHandler } from './http-check.js';
import { listenForTasks } from './listen.js';
import { TaskQueue } from './queue.js';
import type { TaskHandler } from './types.js';
import { Worker } from './worker.js';

export interface TaskSystemOptions {
  db: Db;
  log: Logger;
  queue: z.infer<typeof QueueConfigSchema>;
  worker: z.infer<typeof WorkerConfigSchema>;
  /** config.database.url when on PostgreSQL: enables NOTIFY on enqueue and LISTEN in the worker. */
  databaseUrl?: string;
  /** Handlers besides the built-in http.check, by task type. */
  handlers?: ReadonlyMap<string, TaskHandler>;
  /** The agent runner: tasks of type agent.run or with an agent_id. */
  agentHandler?: TaskHandler;
}

export interface TaskSystem {
  queue: TaskQueue;
  /** Undefined when config.worker.enabled is false (an api-only process). */
  worker: Worker | undefined;
  /** For the tasks routes: a type some worker can run. */
  knownTaskType(type: string): boolean;
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
  const handlers = new Map<string, TaskHandler>([[HTTP_CHECK_TYPE, httpCheckHandler]]);
  for (const [type, handler] of options.handlers ?? []) handlers.set(type, handler);
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
        ...(postgres ? { subscribe: listenForTasks(options.databaseUrl!, options.log) } : {}),
      })
    : undefined;
  return {
    queue,
    worker,
    // With the worker off (api role), workers elsewhere run the same build: the same types.
    knownTaskType: (type) => handlers.has(type),
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
