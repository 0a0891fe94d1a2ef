/** The durable task queue, its worker and built-in handlers. See docs/queue.md. */
export * from './types.js';
export { backoffDelayMs, type BackoffOptions } from './backoff.js';
export { decodeCursor, encodeCursor, type ListCursor } from './cursor.js';
export { LeaseLostError, UnknownAgentError, WorkerStoppingError } from './errors.js';
export {
  HTTP_CHECK_TYPE,
  HttpCheckFailedError,
  HttpCheckPayloadSchema,
  createHttpCheckHandler,
  createHttpCheckTaskType,
  httpCheckTaskType,
  httpCheckHandler,
  parseHttpCheckPayload,
  type HttpCheckPayload,
  type HttpCheckResult,
} from './http-check.js';
export { listenForTasks, TASKS_CHANNEL } from './listen.js';
export { sampleQueueMetrics } from './metrics.js';
export { queueOverview, type QueueOverview } from './overview.js';
export {
  TaskQueue,
  type ClaimOptions,
  type Completion,
  type EnqueueInput,
  type FailOutcome,
  type ListFilter,
  type TaskQueueOptions,
} from './queue.js';
export type { QueuedTask } from './rows.js';
export { asyncCommitsAllowed, createTaskSystem, type TaskSystem, type TaskSystemOptions } from './system.js';
export {
  Worker,
  type TaskOutcome,
  type WorkerEvent,
  type WorkerOptions,
  type WorkerState,
} from './worker.js';
