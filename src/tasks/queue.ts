/**
 * The durable task queue on PostgreSQL (node-postgres or PGlite), at-least-once.
 *
 * State machine of a task row (`tasks.status`):
 *
 *   pending   --claim (FOR UPDATE SKIP LOCKED; attempts+1, lease set)-->          running
 *   pending   --cancel-->                                                         cancelled
 *   running   --handler returned-->                                               completed
 *   running   --handler threw, attempts < max (run_at = now + backoff)-->         pending
 *   running   --handler threw, attempts >= max, or PermanentTaskError-->          dead
 *   running   --cancel: sets cancel_requested; handler stops at checkpoint()-->   cancelled
 *   running   --lease expired (worker lost), reaped, attempts < max-->            pending
 *   running   --lease expired, attempts >= max-->                                 dead
 *   running   --lease expired with cancel_requested-->                            cancelled
 *   running   --worker drained before it finished (release; attempt refunded)-->  pending
 *   running   --buffered, returned unstarted (attempt refunded, run_at kept)-->   pending
 *   completed, cancelled, dead: terminal.
 *
 * Every transition out of `running` is guarded by `lease_owner = <owner> AND status = 'running'`,
 * so a worker whose lease was taken over cannot overwrite the new owner's outcome.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Db } from '../db/index.js';
import { SutazaiError } from '../errors.js';
import { backoffDelayMs } from './backoff.js';
import { claimOrder } from './buffer.js';
import { encodeCursor, UUID_RE, type ListCursor } from './cursor.js';
import { UnknownAgentError } from './errors.js';
import { listTasksSql } from './list.js';
import { TASKS_CHANNEL } from './listen.js';
import { fromRow, TASK_COLUMNS, taskColumns, type QueuedTask, type TaskRow } from './rows.js';
import type { TaskStatus } from './types.js';

export interface TaskQueueOptions {
  maxPending: number;
  defaultMaxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Injectable jitter source, uniform in [0, 1). */
  random?: () => number;
  /** How long a pending-count sample is trusted while far from the cap. */
  pendingSampleMs?: number;
  /** NOTIFY sutazai_tasks on every enqueue so LISTENing workers in other processes wake. */
  notify?: boolean;
  /**
   * Commit worker-side transitions (claim, heartbeat, outcome, release, reap) without waiting
   * for the WAL flush. Only where the database outlives this process (external PostgreSQL): an
   * embedded database dies with us and would undo acknowledged outcomes, so the task system
   * never sets it there (asyncCommitsAllowed). Enqueue and cancel always wait. See docs/queue.md.
   */
  asyncWorkerCommits?: boolean;
}

export interface EnqueueInput {
  type: string;
  payload?: unknown;
  priority?: number;
  agentId?: string | null;
  runAt?: Date;
  maxAttempts?: number;
  /** The submitting principal's role (the API always sets it); null: the platform itself. */
  requestedByRole?: 'admin' | 'user' | null;
  /** The user the task belongs to (see src/auth/owner.ts). */
  ownerId?: string | null;
}

export interface ListFilter {
  status?: TaskStatus;
  agentId?: string;
  type?: string;
  /** Only this owner's tasks (non-admin callers); undefined: all. */
  owner?: string;
  limit: number;
  cursor?: ListCursor;
}

export interface ClaimOptions {
  owner: string;
  limit: number;
  leaseMs: number;
  /** Only these types; with `agentTasks`, also any task with an agent_id or of type agent.run. */
  types?: readonly string[];
  agentTasks?: boolean;
}

export interface Completion {
  id: string;
  /** The result already serialised, so one unserialisable result cannot sink a whole batch. */
  resultJson: string;
}

/** A failed attempt, written in a batch like a completion (see `writeOutcomes`). */
export interface Failure {
  id: string;
  error: string;
  /** Dead at once (PermanentTaskError) instead of retried. */
  permanent: boolean;
  /** The backoff before the retry, when it is retried. */
  delayMs: number;
}

export type Outcome = Completion | Failure;

/** The status each outcome left its task in; an id missing from the map had lost its lease. */
export type OutcomeStatuses = Map<string, TaskStatus>;

/** Most tasks one POST /api/v1/tasks/batch or `enqueueBatch` call may insert. */
export const MAX_BATCH_ENQUEUE = 1000;

export type FailOutcome = 'retried' | 'deferred' | 'dead' | 'cancelled' | 'lost';

const RETRY_AFTER_SECONDS = 5;

export class TaskQueue {
  private readonly events = new EventEmitter();
  private pendingSample: { count: number; at: number } | undefined;

  constructor(
    private readonly db: Db,
    private readonly options: TaskQueueOptions,
  ) {
    this.events.setMaxListeners(0);
  }

  /** A FROM item that turns off the WAL-flush wait for the statement's own transaction. */
  private get asyncCommit(): string {
    return this.options.asyncWorkerCommits
      ? "(SELECT set_config('synchronous_commit', 'off', true)) AS async_commit"
      : '(SELECT 1) AS sync_commit';
  }

  /** Called after a task was committed by this process; workers use it to wake early. */
  onEnqueued(listener: () => void): () => void {
    this.events.on('enqueued', listener);
    return () => this.events.off('enqueued', listener);
  }

  /** Inserts one task; resolves only after the row is committed. */
  async enqueue(input: EnqueueInput): Promise<QueuedTask> {
    await this.checkCapacity(1);
    let rows: TaskRow[];
    try {
      ({ rows } = await this.db.query<TaskRow>(
        `WITH inserted AS (
           INSERT INTO tasks (type, payload, priority, agent_id, run_at, max_attempts, requested_by_role, owner_id)
           VALUES ($1, $2::jsonb, $3, $4, COALESCE($5::timestamptz, now()), $6, $7, $8)
           RETURNING ${TASK_COLUMNS})
         SELECT * FROM inserted${this.options.notify ? `, pg_notify('${TASKS_CHANNEL}', '') AS notified` : ''}`,
        [
          input.type,
          JSON.stringify(input.payload ?? {}),
          input.priority ?? 0,
          input.agentId ?? null,
          input.runAt ? input.runAt.toISOString() : null,
          input.maxAttempts ?? this.options.defaultMaxAttempts,
          input.requestedByRole ?? null,
          input.ownerId ?? null,
        ],
      ));
    } catch (err) {
      if ((err as { code?: string }).code === '23503' && input.agentId)
        throw new UnknownAgentError(input.agentId);
      throw err;
    }
    this.notePending(1);
    return fromRow(rows[0]!);
  }

  /**
   * Inserts up to MAX_BATCH_ENQUEUE tasks in one statement, all or nothing; resolves after the
   * commit with the tasks in input order. The same cap (queue.maxPending, counting every task of
   * the batch) and commit rule as `enqueue`; one NOTIFY for the batch.
   */
  async enqueueBatch(inputs: readonly EnqueueInput[]): Promise<QueuedTask[]> {
    if (inputs.length === 0) return [];
    if (inputs.length > MAX_BATCH_ENQUEUE)
      throw new RangeError(`enqueueBatch takes at most ${MAX_BATCH_ENQUEUE} tasks, got ${inputs.length}`);
    await this.checkCapacity(inputs.length);
    // Ids are chosen here so the answer can follow the input order (RETURNING has no order).
    const records = inputs.map((t) => ({
      id: randomUUID(),
      type: t.type,
      payload: t.payload ?? {},
      priority: t.priority ?? 0,
      agent_id: t.agentId ?? null,
      run_at: t.runAt ? t.runAt.toISOString() : null,
      max_attempts: t.maxAttempts ?? this.options.defaultMaxAttempts,
      requested_by_role: t.requestedByRole ?? null,
      owner_id: t.ownerId ?? null,
    }));
    let rows: TaskRow[];
    try {
      ({ rows } = await this.db.query<TaskRow>(
        `WITH inserted AS (
           INSERT INTO tasks (id, type, payload, priority, agent_id, run_at, max_attempts, requested_by_role, owner_id)
           SELECT id, type, payload, priority, agent_id, COALESCE(run_at, now()), max_attempts, requested_by_role, owner_id
           FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, type text, payload jsonb, priority int, agent_id uuid,
             run_at timestamptz, max_attempts int, requested_by_role text, owner_id uuid)
           RETURNING ${TASK_COLUMNS})
         SELECT * FROM inserted${this.options.notify ? `, (SELECT pg_notify('${TASKS_CHANNEL}', '')) AS notified` : ''}`,
        [JSON.stringify(records)],
      ));
    } catch (err) {
      const agentId = inputs.find((t) => t.agentId)?.agentId;
      if ((err as { code?: string }).code === '23503' && agentId) throw new UnknownAgentError(agentId);
      throw err;
    }
    this.notePending(inputs.length);
    const byId = new Map(rows.map((r) => [r.id, fromRow(r)]));
    return records.map((r) => byId.get(r.id)!);
  }

  /** Bulk load without the rows back (benchmarks, fixtures): `enqueueBatch` in chunks. */
  async enqueueMany(inputs: readonly EnqueueInput[]): Promise<number> {
    let count = 0;
    for (let i = 0; i < inputs.length; i += MAX_BATCH_ENQUEUE)
      count += (await this.enqueueBatch(inputs.slice(i, i + MAX_BATCH_ENQUEUE))).length;
    return count;
  }

  /** `owner` set: another owner's task looks absent. */
  async get(id: string, owner?: string): Promise<QueuedTask | undefined> {
    if (!UUID_RE.test(id)) return undefined;
    const { rows } = await this.db.query<TaskRow>(
      `SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1 AND ($2::uuid IS NULL OR owner_id = $2::uuid)`,
      [id, owner === undefined ? null : ownerParam(owner)],
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /** Newest first; `nextCursor` is set when more rows may follow. */
  async list(filter: ListFilter): Promise<{ items: QueuedTask[]; nextCursor: string | null }> {
    const { sql, params } = listTasksSql({
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.agentId ? { agentId: filter.agentId } : {}),
      ...(filter.type ? { type: filter.type } : {}),
      ...(filter.owner !== undefined ? { ownerId: ownerParam(filter.owner) } : {}),
      ...(filter.cursor ? { cursor: filter.cursor } : {}),
      limit: filter.limit + 1,
    });
    const { rows } = await this.db.query<TaskRow>(sql, params);
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > filter.limit && last
        ? encodeCursor({ createdAt: last.created_at_text, id: last.id })
        : null;
    return { items: page.map(fromRow), nextCursor };
  }

  /**
   * Cancels a pending task at once; marks a running one cancel_requested (it stops at its next
   * checkpoint). Throws TASK_NOT_FOUND or TASK_NOT_CANCELLABLE (already finished).
   */
  async cancel(id: string, owner?: string): Promise<QueuedTask> {
    if (!UUID_RE.test(id) || (owner !== undefined && !(await this.get(id, owner))))
      throw new SutazaiError('SUTAZAI_ERR_TASK_NOT_FOUND', { id });
    const { rows } = await this.db.query<TaskRow>(
      `UPDATE tasks SET cancel_requested = true, updated_at = now(),
         status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE status END,
         completed_at = CASE WHEN status = 'pending' THEN now() ELSE completed_at END
       WHERE id = $1 AND status IN ('pending', 'running')
       RETURNING ${TASK_COLUMNS}`,
      [id],
    );
    if (rows[0]) return fromRow(rows[0]);
    const existing = await this.get(id);
    if (!existing) throw new SutazaiError('SUTAZAI_ERR_TASK_NOT_FOUND', { id });
    throw new SutazaiError('SUTAZAI_ERR_TASK_NOT_CANCELLABLE', { id, status: existing.status });
  }

  /** Claims up to `limit` runnable tasks, highest priority then earliest run_at first. */
  async claim(options: ClaimOptions): Promise<QueuedTask[]> {
    if (options.limit <= 0) return [];
    const params: unknown[] = [];
    const { rows } = await this.db.query<TaskRow>(
      `WITH ${this.claimCtes(options, params)} SELECT * FROM claimed, ${this.asyncCommit}`,
      params,
    );
    return this.claimed(rows);
  }

  /**
   * One round trip for the worker's steady state: writes finished tasks' outcomes (completions
   * and failures) and claims the next batch in the same statement (and so the same transaction).
   */
  async writeAndClaim(
    owner: string,
    outcomes: readonly Outcome[],
    claim: ClaimOptions | undefined,
  ): Promise<{ statuses: OutcomeStatuses; claimed: QueuedTask[] }> {
    if (!claim || claim.limit <= 0)
      return { statuses: await this.writeOutcomes(owner, outcomes), claimed: [] };
    if (outcomes.length === 0) return { statuses: new Map(), claimed: await this.claim(claim) };
    const { byId, ids } = outcomeParams(outcomes);
    const params: unknown[] = [byId, owner, ids];
    const { rows } = await this.db.query<{
      done: Array<{ id: string; status: TaskStatus }>;
      claimed: TaskRow[];
    }>(
      `WITH done AS (${OUTCOMES_SQL}), ${this.claimCtes(claim, params)}
       SELECT (SELECT COALESCE(json_agg(done), '[]') FROM done) AS done,
              (SELECT COALESCE(json_agg(claimed), '[]') FROM claimed) AS claimed
       FROM ${this.asyncCommit}`,
      params,
    );
    const row = rows[0]!;
    return { statuses: new Map(row.done.map((d) => [d.id, d.status])), claimed: this.claimed(row.claimed) };
  }

  /** CTEs `picked` and `claimed`; appends its parameters to `params`. */
  private claimCtes(options: ClaimOptions, params: unknown[]): string {
    const $ = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const types = options.types
      ? `ARRAY(SELECT jsonb_array_elements_text(${$(JSON.stringify(options.types))}::jsonb))`
      : 'NULL::text[]';
    // sutazai_pick_tasks (migration 0002): the ordered, SKIP LOCKED scan of tasks_claim_idx,
    // planned without sorts or bitmap scans, so stale statistics cannot turn it into a sort of
    // the whole backlog on every claim.
    return `picked AS (
         SELECT p.id
         FROM sutazai_pick_tasks(${$(options.limit)}::int, ${types}, ${$(!!options.agentTasks)}::boolean) AS p(id)),
       claimed AS (
         UPDATE tasks t SET status = 'running', attempts = t.attempts + 1, lease_owner = ${$(options.owner)},
           lease_expires_at = now() + ${$(options.leaseMs)} * interval '1 millisecond',
           started_at = COALESCE(t.started_at, now()), updated_at = now()
         FROM picked WHERE t.id = picked.id
         RETURNING ${taskColumns('t')})`;
  }

  private claimed(rows: TaskRow[]): QueuedTask[] {
    if (this.pendingSample) this.pendingSample.count = Math.max(0, this.pendingSample.count - rows.length);
    return rows.map(fromRow).sort(claimOrder);
  }

  /**
   * Renews the leases `owner` holds on `ids`. Returns the ids still held, and which of them
   * have cancellation requested; an id missing from `held` has lost its lease.
   */
  async heartbeat(
    owner: string,
    ids: readonly string[],
    leaseMs: number,
  ): Promise<{ held: Set<string>; cancelRequested: Set<string> }> {
    const held = new Set<string>();
    const cancelRequested = new Set<string>();
    if (ids.length === 0) return { held, cancelRequested };
    const { rows } = await this.db.query<{ id: string; cancel_requested: boolean }>(
      `UPDATE tasks SET lease_expires_at = now() + $3 * interval '1 millisecond'
       FROM ${this.asyncCommit}
       WHERE id = ANY ($1::uuid[])
         AND lease_owner = $2 AND status = 'running'
       RETURNING id, cancel_requested`,
      [uuidArray(ids), owner, leaseMs],
    );
    for (const row of rows) {
      held.add(row.id);
      if (row.cancel_requested) cancelRequested.add(row.id);
    }
    return { held, cancelRequested };
  }

  /** Marks tasks completed in one statement; returns the ids whose lease was still held. */
  async completeMany(owner: string, completions: readonly Completion[]): Promise<Set<string>> {
    return new Set((await this.writeOutcomes(owner, completions)).keys());
  }

  /**
   * Writes completions and failures in one statement, each guarded by lease owner and status.
   * A failure goes back to pending after its `delayMs`, or dead (permanent, or attempts used
   * up), or cancelled when cancellation was requested meanwhile.
   */
  async writeOutcomes(owner: string, outcomes: readonly Outcome[]): Promise<OutcomeStatuses> {
    if (outcomes.length === 0) return new Map();
    const { byId, ids } = outcomeParams(outcomes);
    const { rows } = await this.db.query<{ id: string; status: TaskStatus }>(
      `WITH done AS (${OUTCOMES_SQL}) SELECT id, status FROM done, ${this.asyncCommit}`,
      [byId, owner, ids],
    );
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  /** A failure's backoff before its retry (exponential with full jitter). */
  retryDelayMs(attempts: number): number {
    return this.backoffMs(attempts);
  }

  /**
   * Records a failed attempt: back to pending with backoff, or dead when attempts are used up or
   * the error is permanent, or cancelled when cancellation was requested meanwhile.
   */
  async fail(task: QueuedTask, owner: string, error: string, permanent: boolean): Promise<FailOutcome> {
    const delayMs = backoffDelayMs(task.attempts, {
      baseMs: this.options.backoffBaseMs,
      maxMs: this.options.backoffMaxMs,
      ...(this.options.random ? { random: this.options.random } : {}),
    });
    const { rows } = await this.db.query<{ status: TaskStatus }>(
      `UPDATE tasks SET error = $3, lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
         backend_down_since = NULL,
         status = CASE WHEN cancel_requested THEN 'cancelled'
                       WHEN $4 OR attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
         run_at = CASE WHEN cancel_requested OR $4 OR attempts >= max_attempts THEN run_at
                       ELSE now() + $5 * interval '1 millisecond' END,
         completed_at = CASE WHEN cancel_requested OR $4 OR attempts >= max_attempts THEN now() END
       FROM ${this.asyncCommit}
       WHERE id = $1 AND lease_owner = $2 AND status = 'running'
       RETURNING status`,
      [task.id, owner, error, permanent, delayMs],
    );
    const status = rows[0]?.status;
    if (!status) return 'lost';
    return status === 'pending' ? 'retried' : (status as 'dead' | 'cancelled');
  }

  /**
   * Puts a task whose backend is unavailable back to pending, run at now + `delayMs`, with the
   * attempt refunded (it was not the task's fault), and notes since when the backend has been
   * down (the first deferral's time, kept across deferrals). Cancelled when cancellation was
   * requested meanwhile.
   */
  async defer(task: QueuedTask, owner: string, error: string, delayMs: number): Promise<FailOutcome> {
    const { rows } = await this.db.query<{ status: TaskStatus }>(
      `UPDATE tasks SET error = $3, lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
         backend_down_since = COALESCE(backend_down_since, now()),
         status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'pending' END,
         attempts = CASE WHEN cancel_requested THEN attempts ELSE GREATEST(attempts - 1, 0) END,
         run_at = CASE WHEN cancel_requested THEN run_at ELSE now() + $4 * interval '1 millisecond' END,
         completed_at = CASE WHEN cancel_requested THEN now() END
       FROM ${this.asyncCommit}
       WHERE id = $1 AND lease_owner = $2 AND status = 'running'
       RETURNING status`,
      [task.id, owner, error, Math.max(0, Math.round(delayMs))],
    );
    const status = rows[0]?.status;
    if (!status) return 'lost';
    return status === 'pending' ? 'deferred' : 'cancelled';
  }

  /** Backoff before the next try of `task` (exponential with full jitter, per queue options). */
  backoffMs(attempts: number): number {
    return backoffDelayMs(attempts, {
      baseMs: this.options.backoffBaseMs,
      maxMs: this.options.backoffMaxMs,
      ...(this.options.random ? { random: this.options.random } : {}),
    });
  }

  /** The handler stopped at a checkpoint after cancellation was requested. */
  async markCancelled(id: string, owner: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE tasks SET status = 'cancelled', error = 'cancelled', lease_owner = NULL,
         lease_expires_at = NULL, completed_at = now(), updated_at = now()
       FROM ${this.asyncCommit}
       WHERE id = $1 AND lease_owner = $2 AND status = 'running'`,
      [id, owner],
    );
    return rowCount > 0;
  }

  /** Gives unfinished tasks back (drain): pending again, the attempt refunded, run at once. */
  async release(owner: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const { rowCount } = await this.db.query(
      `UPDATE tasks SET lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
         status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'pending' END,
         completed_at = CASE WHEN cancel_requested THEN now() END,
         attempts = CASE WHEN cancel_requested THEN attempts ELSE GREATEST(attempts - 1, 0) END,
         run_at = now()
       FROM ${this.asyncCommit}
       WHERE id = ANY ($1::uuid[])
         AND lease_owner = $2 AND status = 'running'`,
      [uuidArray(ids), owner],
    );
    return rowCount;
  }

  /**
   * Gives back tasks claimed into a local buffer that never started (drain, or held too long):
   * pending again with the attempt refunded and `started_at` as before the claim, keeping their
   * `run_at`, so they keep their place in priority and run_at order.
   */
  async returnUnstarted(owner: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const { rowCount } = await this.db.query(
      `UPDATE tasks SET lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
         status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'pending' END,
         completed_at = CASE WHEN cancel_requested THEN now() END,
         attempts = CASE WHEN cancel_requested THEN attempts ELSE GREATEST(attempts - 1, 0) END,
         started_at = CASE WHEN attempts <= 1 AND NOT cancel_requested THEN NULL ELSE started_at END
       FROM ${this.asyncCommit}
       WHERE id = ANY ($1::uuid[])
         AND lease_owner = $2 AND status = 'running'`,
      [uuidArray(ids), owner],
    );
    return rowCount;
  }

  /**
   * Takes back running tasks whose lease expired (their worker died or stalled): pending for
   * re-delivery, dead when attempts are used up, cancelled when cancellation was requested.
   */
  async reapExpired(limit = 1000): Promise<Array<{ id: string; status: TaskStatus }>> {
    const { rows } = await this.db.query<{ id: string; status: TaskStatus }>(
      `UPDATE tasks t SET lease_owner = NULL, lease_expires_at = NULL, updated_at = now(), run_at = now(),
         status = CASE WHEN t.cancel_requested THEN 'cancelled'
                       WHEN t.attempts >= t.max_attempts THEN 'dead' ELSE 'pending' END,
         error = CASE WHEN t.cancel_requested THEN 'cancelled'
                      ELSE 'lease expired (worker lost) after attempt ' || t.attempts END,
         completed_at = CASE WHEN t.cancel_requested OR t.attempts >= t.max_attempts THEN now() END
       FROM (SELECT id FROM tasks WHERE status = 'running' AND lease_expires_at < now()
             ORDER BY lease_expires_at LIMIT $1 FOR UPDATE SKIP LOCKED) expired, ${this.asyncCommit}
       WHERE t.id = expired.id
       RETURNING t.id, t.status`,
      [limit],
    );
    return rows;
  }

  async countPending(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM tasks WHERE status = 'pending'",
    );
    const count = rows[0]?.n ?? 0;
    this.pendingSample = { count, at: Date.now() };
    return count;
  }

  /**
   * Refuses new work past config.queue.maxPending. Counting on every insert would cost a scan of
   * the pending index per request, so a sample is reused for a short time while the queue is far
   * (under 90%) from the cap, and recounted on every call near it.
   */
  private async checkCapacity(adding: number): Promise<void> {
    const { maxPending } = this.options;
    const sample = this.pendingSample;
    const fresh = sample && Date.now() - sample.at < (this.options.pendingSampleMs ?? 500);
    const depth =
      fresh && sample.count + adding < maxPending * 0.9 ? sample.count : await this.countPending();
    if (depth + adding > maxPending) {
      throw new SutazaiError(
        'SUTAZAI_ERR_TASK_QUEUE_FULL',
        { depth, limit: maxPending, retryAfter: RETRY_AFTER_SECONDS },
        { headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } },
      );
    }
  }

  private notePending(added: number): void {
    if (this.pendingSample) this.pendingSample.count += added;
    this.events.emit('enqueued');
  }
}

/**
 * The outcome UPDATE; $1 the outcomes as a JSON object keyed by task id (`result` for a
 * completion; `error`, `permanent` and `delay_ms` for a failure), $2 the lease owner, $3 the ids
 * as a uuid[] literal. A row's outcome is a failure when `error` is set.
 *
 * No join (decision 0077): the rows are found by `id = ANY($3)` on the primary key and each
 * row's outcome is looked up in $1. A join with the outcomes as a set-returning function was
 * planned from table statistics that say almost nothing is running (true whenever the table was
 * analysed while quiet): a nested loop that re-read every outcome for every running row,
 * quadratic in the batch: 33–76 ms instead of 3 for 250 outcomes beside 750 running rows.
 */
const OUTCOME = `($1::jsonb -> t.id::text)`;
const FAILED = `${OUTCOME} ? 'error'`;
const FINAL = `NOT ${FAILED} OR t.cancel_requested OR (${OUTCOME} ->> 'permanent')::boolean OR t.attempts >= t.max_attempts`;
const OUTCOMES_SQL = `UPDATE tasks t SET
    status = CASE WHEN NOT ${FAILED} THEN 'completed' WHEN t.cancel_requested THEN 'cancelled'
                  WHEN (${OUTCOME} ->> 'permanent')::boolean OR t.attempts >= t.max_attempts THEN 'dead'
                  ELSE 'pending' END,
    result = CASE WHEN NOT ${FAILED} THEN NULLIF(${OUTCOME} -> 'result', 'null'::jsonb) ELSE t.result END,
    error = ${OUTCOME} ->> 'error',
    backend_down_since = CASE WHEN NOT ${FAILED} THEN t.backend_down_since END,
    run_at = CASE WHEN ${FINAL} THEN t.run_at
                  ELSE now() + (${OUTCOME} ->> 'delay_ms')::int * interval '1 millisecond' END,
    completed_at = CASE WHEN ${FINAL} THEN now() END,
    lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
  WHERE t.id = ANY ($3::uuid[]) AND t.lease_owner = $2 AND t.status = 'running'
  RETURNING t.id, t.status`;

/** The parameters $1 and $3 of OUTCOMES_SQL. */
function outcomeParams(outcomes: readonly Outcome[]): { byId: string; ids: string } {
  const one = (o: Outcome): string =>
    'resultJson' in o
      ? `${JSON.stringify(o.id.toLowerCase())}:{"result":${o.resultJson}}`
      : `${JSON.stringify(o.id.toLowerCase())}:${JSON.stringify({ error: o.error, permanent: o.permanent, delay_ms: Math.round(o.delayMs) })}`;
  return { byId: `{${outcomes.map(one).join(',')}}`, ids: uuidArray(outcomes.map((o) => o.id)) };
}

/** A uuid[] literal; ids that are not UUIDs cannot name a task and are left out. */
function uuidArray(ids: readonly string[]): string {
  return `{${ids.filter((id) => UUID_RE.test(id)).join(',')}}`;
}

/** Owner ids are UUIDs; anything else (a test or tool principal) owns nothing: the nil UUID. */
export function ownerParam(owner: string): string {
  return UUID_RE.test(owner) ? owner : '00000000-0000-0000-0000-000000000000';
}
