import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Db } from '../db/index.js';

/**
 * The contract between the queue's worker and the code that works a task. Handlers are registered
 * by task type; agent-backed tasks (type `agent.run`, or any task with an agent_id) go to the
 * agent runner.
 */
export type TaskStatus = 'pending' | 'running' | 'completed' | 'cancelled' | 'dead';

export interface TaskRecord {
  id: string;
  agentId: string | null;
  type: string;
  payload: unknown;
  status: TaskStatus;
  priority: number;
  attempts: number;
  maxAttempts: number;
  result: unknown;
  error: string | null;
  runAt: Date;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  /**
   * The role of the principal that submitted the task through the API; null for a task the
   * platform enqueued itself (the API always records one). Outbound connections obey it.
   */
  requestedByRole: 'admin' | 'user' | null;
  /** Set while the task waits for an unavailable backend (see BackendUnavailableError). */
  backendDownSince?: Date | null;
}

/** Who a task's outbound connections are made for: null (enqueued in process) counts as admin. */
export function requesterOf(task: Pick<TaskRecord, 'requestedByRole'>): 'admin' | 'user' {
  return task.requestedByRole ?? 'admin';
}

export interface TaskContext {
  task: TaskRecord;
  /** Aborted when the task is cancelled, its lease is lost, or the worker is forced to stop. */
  signal: AbortSignal;
  /**
   * Call between steps: throws TaskCancelledError when cancellation was requested, so a running
   * task stops at its next checkpoint. Also renews the lease.
   */
  checkpoint(): Promise<void>;
  db: Db;
  log: Logger;
}

/** Returns the task's result (stored as JSON). Throwing retries with backoff until max attempts. */
export type TaskHandler = (ctx: TaskContext) => Promise<unknown>;

/**
 * What the API knows of a task type: POST /api/v1/tasks validates the payload against `payload`
 * before it stores anything (400 with the field path), and GET /api/v1/task-types lists each
 * type with the JSON Schema of its payload. The handler re-parses it (defaults, old rows).
 */
export interface TaskTypeInfo {
  type: string;
  summary: string;
  payload: z.ZodType;
}

/** A task type a worker can run: its API description plus the code that works it. */
export interface TaskTypeDefinition extends TaskTypeInfo {
  handler: TaskHandler;
}

/** A failure that retrying cannot fix (bad payload, unknown model): the task goes dead at once. */
export class PermanentTaskError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentTaskError';
  }
}

/**
 * The task's backend (the model server) is unavailable or its circuit breaker is open: not the
 * task's fault. The worker puts the task back for when the backend may answer again (the
 * breaker's half-open time, or the backoff, whichever is later) without spending an attempt,
 * until the backend has been down for queue.backendWaitMaxMs; then the task is dead.
 */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: string,
    message: string,
    /** When the backend may answer again (e.g. the breaker half-opens), if known. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BackendUnavailableError';
  }
}

/** Thrown by checkpoint() when cancellation was requested. */
export class TaskCancelledError extends Error {
  constructor(taskId: string) {
    super(`task ${taskId} was cancelled`);
    this.name = 'TaskCancelledError';
  }
}
