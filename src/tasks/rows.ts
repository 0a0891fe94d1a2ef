import type { TaskRecord, TaskStatus } from './types.js';

const COLUMNS = [
  'id',
  'agent_id',
  'type',
  'payload',
  'status',
  'priority',
  'attempts',
  'max_attempts',
  'result',
  'error',
  'run_at',
  'created_at',
  'started_at',
  'completed_at',
  'cancel_requested',
  'requested_by_role',
  'backend_down_since',
  'owner_id',
];

/** Columns every task read selects; `created_at_text` keeps microseconds for the list cursor. */
export function taskColumns(alias = ''): string {
  const p = alias ? `${alias}.` : '';
  return [...COLUMNS.map((c) => p + c), `${p}created_at::text AS created_at_text`].join(', ');
}

export const TASK_COLUMNS = taskColumns();

export interface TaskRow {
  id: string;
  agent_id: string | null;
  type: string;
  payload: unknown;
  status: TaskStatus;
  priority: number;
  attempts: number;
  max_attempts: number;
  result: unknown;
  error: string | null;
  run_at: Date | string;
  created_at: Date | string;
  started_at: Date | string | null;
  completed_at: Date | string | null;
  cancel_requested: boolean;
  requested_by_role: string | null;
  backend_down_since: Date | string | null;
  owner_id: string | null;
  created_at_text: string;
}

/** A task as the queue hands it out: the handler contract's record plus queue bookkeeping. */
export interface QueuedTask extends TaskRecord {
  cancelRequested: boolean;
  /** The user who created the task (null: created by the system or with auth off). */
  ownerId: string | null;
}

const toDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
const toDateOrNull = (v: Date | string | null): Date | null => (v === null ? null : toDate(v));

export function fromRow(row: TaskRow): QueuedTask {
  return {
    id: row.id,
    agentId: row.agent_id,
    type: row.type,
    payload: row.payload,
    status: row.status,
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    result: row.result,
    error: row.error,
    runAt: toDate(row.run_at),
    createdAt: toDate(row.created_at),
    startedAt: toDateOrNull(row.started_at),
    completedAt: toDateOrNull(row.completed_at),
    cancelRequested: row.cancel_requested,
    // Anything but an explicit admin or null is judged as a user: the safe reading.
    requestedByRole:
      row.requested_by_role === null ? null : row.requested_by_role === 'admin' ? 'admin' : 'user',
    backendDownSince: toDateOrNull(row.backend_down_since ?? null),
    ownerId: row.owner_id ?? null,
  };
}
