/**
 * The worker: claims tasks in batches into its free slots and a local buffer (buffer.ts), runs
 * their handlers with bounded concurrency, heartbeats their leases together, writes outcomes in
 * batches (cycle.ts), and reaps expired leases of others.
 *
 * Worker states:
 *
 *   created  --start()-->            running
 *   running  --drain()/stop()-->     draining   (no new claims; buffered tasks returned unstarted;
 *                                               in-flight tasks keep heartbeating)
 *   draining --all finished, or timeout: leases released (attempt refunded), signals aborted--> stopped
 *   created  --drain()/stop()-->     stopped
 *
 * drain() and stop() return the same promise on every call: the worker stops exactly once.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import { boundedLabel, taskDuration, taskOutcomes, workerBufferedTasks } from '../metrics/index.js';
import { LocalBuffer } from './buffer.js';
import { ClaimCycle } from './cycle.js';
import { LeaseLostError, WorkerStoppingError } from './errors.js';
import type { FailOutcome, TaskQueue } from './queue.js';
import type { QueuedTask } from './rows.js';
import {
  BackendUnavailableError,
  PermanentTaskError,
  TaskCancelledError,
  type TaskContext,
  type TaskHandler,
} from './types.js';

export interface WorkerOptions {
  queue: TaskQueue;
  db: Db;
  log: Logger;
  handlers: ReadonlyMap<string, TaskHandler>;
  /** Runs tasks of type agent.run, or with an agent_id, that have no handler of their own type. */
  agentHandler?: TaskHandler;
  concurrency: number;
  pollIntervalMs: number;
  leaseMs: number;
  drainTimeoutMs: number;
  /**
   * Claim/complete statements in flight at once (default 3): while one waits for the database,
   * the next carries the completions and freed slots gathered meanwhile. Each holds a pool
   * connection while in flight. See docs/queue.md.
   */
  lanes?: number;
  /**
   * How long a task may wait for an unavailable backend (BackendUnavailableError), counted from
   * its first deferral, before it is dead. Default one hour.
   */
  backendWaitMaxMs?: number;
  /**
   * Most tasks claimed ahead into the local buffer (default 500; 0: claim only into free
   * slots). The buffer's size within it follows the measured handler time (buffer.ts).
   */
  claimBufferMax?: number;
  /**
   * A buffered task not started within this time is returned to the queue with the whole
   * buffer, and the worker claims again in priority order: the bound on how long a
   * higher-priority task can wait behind a full buffer (default 1000; at most leaseMs / 3).
   */
  claimBufferHoldMs?: number;
  /** Default leaseMs / 3. */
  heartbeatIntervalMs?: number;
  /** Default max(leaseMs / 2, pollIntervalMs). */
  reapIntervalMs?: number;
  /** Lease owner name; default host:pid:random. */
  owner?: string;
  /** Extra wake-ups (e.g. LISTEN on PostgreSQL); returns an unsubscribe function. */
  subscribe?: (wake: () => void) => Promise<() => Promise<void>>;
  onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { type: 'task:lease:expired'; taskId: string; status: string }
  | { type: 'task:lease:lost'; taskId: string }
  | { type: 'worker:drained'; released: number }
  | { type: 'worker:buffer:returned'; returned: number; reason: 'held' | 'drain' }
  | { type: 'worker:stopped' };

export type WorkerState = 'created' | 'running' | 'draining' | 'stopped';

export type TaskOutcome = FailOutcome | 'completed' | 'released';

interface InFlight {
  task: QueuedTask;
  controller: AbortController;
  done: Promise<void>;
  released: boolean;
}

const MAX_ERROR_LENGTH = 4000;
const DEFAULT_LANES = 3;
const DEFAULT_BUFFER_MAX = 500;
const DEFAULT_BUFFER_HOLD_MS = 1000;
const DEFAULT_BACKEND_WAIT_MAX_MS = 60 * 60_000;

export class Worker {
  readonly owner: string;
  private stateValue: WorkerState = 'created';
  /** Tasks whose handler is running: at most `concurrency`. */
  private readonly inFlight = new Map<string, InFlight>();
  /** Every started task until its outcome is written (running, or outcome not yet committed). */
  private readonly tracked = new Set<Promise<void>>();
  private readonly cycle: ClaimCycle;
  private readonly buffer: LocalBuffer;
  private readonly holdMs: number;
  private startScheduled = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly cleanups: Array<() => Promise<void> | void> = [];
  private stopping: Promise<void> | undefined;

  private readonly typeLabel: (type: string) => string;

  constructor(private readonly options: WorkerOptions) {
    this.typeLabel = boundedLabel([...options.handlers.keys(), 'agent.run']);
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.buffer = new LocalBuffer({
      concurrency: options.concurrency,
      max: options.claimBufferMax ?? DEFAULT_BUFFER_MAX,
    });
    this.holdMs = Math.max(
      1,
      Math.min(options.claimBufferHoldMs ?? DEFAULT_BUFFER_HOLD_MS, options.leaseMs / 3),
    );
    this.cycle = new ClaimCycle({
      queue: options.queue,
      owner: this.owner,
      log: options.log,
      claimOptions: () =>
        this.stateValue === 'running'
          ? {
              leaseMs: options.leaseMs,
              types: [...options.handlers.keys()],
              agentTasks: !!options.agentHandler,
            }
          : undefined,
      freeSlots: () => this.freeSlots(),
      lanes: options.lanes ?? DEFAULT_LANES,
      onClaimed: (tasks) => {
        this.buffer.add(tasks);
        this.startBuffered();
      },
      onRoundTrip: (ms) => this.buffer.noteRoundTripMs(ms),
      busy: () => this.stateValue === 'running' && this.buffer.size > 0,
      flushCount: () => Math.max(1, Math.ceil(this.buffer.target() / 2)),
    });
  }

  get state(): WorkerState {
    return this.stateValue;
  }

  /** Tasks whose handler is running now. */
  get activeCount(): number {
    return this.inFlight.size;
  }

  /** Tasks claimed into the local buffer and not started yet. */
  get bufferedCount(): number {
    return this.buffer.size;
  }

  hasHandler(type: string): boolean {
    return this.options.handlers.has(type) || (type === 'agent.run' && !!this.options.agentHandler);
  }

  async start(): Promise<void> {
    if (this.stateValue !== 'created') return;
    this.stateValue = 'running';
    const o = this.options;
    const every = (ms: number, fn: () => unknown): void => {
      const timer = setInterval(fn, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(o.pollIntervalMs, () => this.pump());
    every(o.heartbeatIntervalMs ?? Math.max(10, Math.floor(o.leaseMs / 3)), () => void this.heartbeat());
    every(o.reapIntervalMs ?? Math.max(o.leaseMs / 2, o.pollIntervalMs), () => void this.reap());
    every(Math.max(5, Math.floor(this.holdMs / 4)), () => void this.returnHeldTooLong());
    this.cleanups.push(o.queue.onEnqueued(() => this.pump()));
    if (o.subscribe) this.cleanups.push(await o.subscribe(() => this.pump()));
    this.pump();
  }

  /** Stops claiming, waits up to `timeoutMs` for in-flight tasks, then releases the rest. */
  drain(timeoutMs = this.options.drainTimeoutMs): Promise<void> {
    this.stopping ??= this.doDrain(timeoutMs);
    return this.stopping;
  }

  /** Idempotent: every call returns the one drain. */
  stop(): Promise<void> {
    return this.drain();
  }

  /** Asks for a claim into the free slots (coalesced; see ClaimCycle). */
  private pump(): void {
    if (this.stateValue === 'running') this.cycle.requestClaim();
  }

  /**
   * How many tasks the next claim may take: the free handler slots plus the room in the local
   * buffer, once the buffer is down to half its target (no trickle of tiny claims). A slot frees
   * when its handler settles, so the next claim overlaps the outcome write; outcomes not yet
   * written are capped too (max(concurrency, buffer target)), so a slow database cannot pile
   * them up and a crash re-runs at most that many finished tasks.
   */
  private freeSlots(): number {
    const { concurrency } = this.options;
    const target = this.buffer.target();
    if (this.cycle.unwritten >= Math.max(concurrency, target)) return 0;
    if (this.buffer.size > target / 2) return 0;
    return concurrency + target - this.inFlight.size - this.buffer.size;
  }

  /** Starts buffered tasks into free handler slots, in claim order; only while running. */
  private startBuffered(): void {
    while (this.stateValue === 'running' && this.inFlight.size < this.options.concurrency) {
      const task = this.buffer.take();
      if (!task) break;
      this.run(task);
    }
    workerBufferedTasks.set(this.buffer.size);
  }

  /**
   * The next buffered task starts on the next turn of the event loop, not in the settling
   * handler's microtask chain: that lets the claim and outcome statements go out meanwhile.
   */
  private scheduleStart(): void {
    if (this.startScheduled || this.buffer.size === 0) return;
    this.startScheduled = true;
    setImmediate(() => {
      this.startScheduled = false;
      this.startBuffered();
    });
  }

  private run(task: QueuedTask): void {
    const entry: InFlight = {
      task,
      controller: new AbortController(),
      done: Promise.resolve(),
      released: false,
    };
    this.inFlight.set(task.id, entry);
    entry.done = this.execute(entry).finally(() => {
      this.inFlight.delete(task.id);
      this.tracked.delete(entry.done);
      this.pump();
    });
    this.tracked.add(entry.done);
  }

  private async execute(entry: InFlight): Promise<void> {
    const { task } = entry;
    const started = performance.now();
    const log = this.options.log.child({ taskId: task.id, taskType: task.type, attempt: task.attempts });
    let outcome: TaskOutcome;
    try {
      const handler = this.handlerFor(task);
      const result = await handler(this.contextFor(entry, log));
      this.handlerSettled(entry, started);
      outcome = await this.complete(entry, result, log);
    } catch (err) {
      this.handlerSettled(entry, started);
      outcome = await this.recordFailure(entry, err, log);
    }
    // Agent tasks may carry any type name: only handler types and agent.run get their own series.
    const labels = { type: this.typeLabel(task.type), outcome };
    taskOutcomes.inc(labels);
    taskDuration.observe(labels, (performance.now() - started) / 1000);
    log.debug({ outcome }, 'task:run:done');
  }

  private handlerSettled(entry: InFlight, started: number): void {
    if (!this.inFlight.delete(entry.task.id)) return;
    this.buffer.noteHandlerMs(performance.now() - started);
    this.scheduleStart();
    this.pump();
  }

  private handlerFor(task: QueuedTask): TaskHandler {
    const own = this.options.handlers.get(task.type);
    if (own) return own;
    if (this.options.agentHandler && (task.agentId || task.type === 'agent.run'))
      return this.options.agentHandler;
    throw new PermanentTaskError(`no handler for task type ${task.type}`);
  }

  private contextFor(entry: InFlight, log: Logger): TaskContext {
    return {
      task: entry.task,
      signal: entry.controller.signal,
      checkpoint: () => this.checkpoint(entry),
      db: this.options.db,
      log,
    };
  }

  /** Throws when the task must stop (cancelled, lease lost, worker stopping); renews the lease. */
  private async checkpoint(entry: InFlight): Promise<void> {
    const { signal } = entry.controller;
    if (signal.aborted) throw signal.reason;
    const { held, cancelRequested } = await this.options.queue.heartbeat(
      this.owner,
      [entry.task.id],
      this.options.leaseMs,
    );
    this.applyHeartbeat(entry, held, cancelRequested);
    if (signal.aborted) throw signal.reason;
  }

  private applyHeartbeat(entry: InFlight, held: Set<string>, cancelRequested: Set<string>): void {
    const { id } = entry.task;
    if (entry.controller.signal.aborted || entry.released) return;
    if (!held.has(id)) {
      this.options.onEvent?.({ type: 'task:lease:lost', taskId: id });
      entry.controller.abort(new LeaseLostError(id));
    } else if (cancelRequested.has(id)) {
      entry.controller.abort(new TaskCancelledError(id));
    }
  }

  private async complete(entry: InFlight, result: unknown, log: Logger): Promise<TaskOutcome> {
    if (entry.released) return 'released';
    let json: string;
    try {
      json = JSON.stringify(result ?? null);
    } catch (err) {
      throw new PermanentTaskError(`result is not JSON-serialisable: ${(err as Error).message}`);
    }
    try {
      return (await this.cycle.write({ id: entry.task.id, resultJson: json })) ? 'completed' : 'lost';
    } catch (writeErr) {
      // The row stays running; its lease expires and the reaper re-delivers it.
      log.error({ err: writeErr }, 'task:outcome:write-failed');
      return 'lost';
    }
  }

  private async recordFailure(entry: InFlight, err: unknown, log: Logger): Promise<TaskOutcome> {
    if (entry.released) return 'released';
    const reason: unknown = entry.controller.signal.aborted ? entry.controller.signal.reason : err;
    const { queue } = this.options;
    try {
      if (reason instanceof LeaseLostError) return 'lost';
      if (reason instanceof TaskCancelledError || err instanceof TaskCancelledError)
        return (await queue.markCancelled(entry.task.id, this.owner)) ? 'cancelled' : 'lost';
      if (err instanceof BackendUnavailableError) return await this.deferForBackend(entry.task, err, log);
      const status = await this.cycle.write({
        id: entry.task.id,
        error: describe(err),
        permanent: err instanceof PermanentTaskError,
        delayMs: queue.backoffMs(Math.max(entry.task.attempts, 1)),
      });
      const outcome: TaskOutcome =
        status === undefined ? 'lost' : status === 'pending' ? 'retried' : (status as 'dead' | 'cancelled');
      log.info({ err, outcome }, 'task:run:failed');
      return outcome;
    } catch (writeErr) {
      // The row stays running; its lease expires and the reaper re-delivers it.
      log.error({ err: writeErr }, 'task:outcome:write-failed');
      return 'lost';
    }
  }

  /**
   * The backend, not the task, failed: retry when the backend may answer again (its breaker's
   * half-open time, or the backoff, whichever is later) without spending an attempt, until it has
   * been down for backendWaitMaxMs; then the task is dead and says so.
   */
  private async deferForBackend(
    task: QueuedTask,
    err: BackendUnavailableError,
    log: Logger,
  ): Promise<TaskOutcome> {
    const { queue } = this.options;
    const maxMs = this.options.backendWaitMaxMs ?? DEFAULT_BACKEND_WAIT_MAX_MS;
    const downMs = task.backendDownSince ? Date.now() - task.backendDownSince.getTime() : 0;
    if (downMs >= maxMs) {
      const message = `backend ${err.backend} was down for ${formatDuration(downMs)} (the limit is ${formatDuration(maxMs)}, queue.backendWaitMaxMs); last error: ${err.message}`;
      const outcome = await queue.fail(task, this.owner, truncate(message), true);
      log.warn({ backend: err.backend, downMs, outcome }, 'task:backend:gave-up');
      return outcome;
    }
    const delayMs = Math.max(err.retryAfterMs ?? 0, queue.backoffMs(Math.max(task.attempts, 1)));
    const outcome = await queue.defer(task, this.owner, describe(err), delayMs);
    log.info({ backend: err.backend, delayMs, downMs, outcome }, 'task:backend:deferred');
    return outcome;
  }

  /** Renews the leases of running and buffered tasks in one statement. */
  private async heartbeat(): Promise<void> {
    const entries = [...this.inFlight.values()].filter((e) => !e.released);
    const buffered = this.buffer.ids();
    if (entries.length === 0 && buffered.length === 0) return;
    try {
      const ids = [...entries.map((e) => e.task.id), ...buffered];
      const { held, cancelRequested } = await this.options.queue.heartbeat(
        this.owner,
        ids,
        this.options.leaseMs,
      );
      for (const entry of entries) this.applyHeartbeat(entry, held, cancelRequested);
      await this.dropFromBuffer(buffered, held, cancelRequested);
    } catch (err) {
      this.options.log.warn({ err }, 'task:heartbeat:failed');
    }
  }

  /** Buffered tasks whose lease was lost are forgotten; cancelled ones become cancelled. */
  private async dropFromBuffer(ids: string[], held: Set<string>, cancelled: Set<string>): Promise<void> {
    const gone = new Set(ids.filter((id) => !held.has(id) || cancelled.has(id)));
    if (gone.size === 0) return;
    for (const task of this.buffer.remove(gone)) {
      if (!held.has(task.id)) this.options.onEvent?.({ type: 'task:lease:lost', taskId: task.id });
      else await this.options.queue.markCancelled(task.id, this.owner);
    }
    this.pump();
  }

  /**
   * The starvation bound: when the oldest buffered task has waited longer than holdMs while
   * every handler slot was taken (handlers slower than measured), the whole buffer goes back to
   * the queue and the worker claims again, in priority order, so a higher-priority task
   * enqueued meanwhile is taken next. With a free slot the buffer is draining as fast as the
   * event loop runs, and returning it would only cost a round trip.
   */
  private async returnHeldTooLong(): Promise<void> {
    const oldest = this.buffer.oldestClaimedAt;
    if (this.stateValue !== 'running' || oldest === undefined) return;
    if (this.inFlight.size < this.options.concurrency) return;
    if (performance.now() - oldest < this.holdMs) return;
    await this.returnBuffered('held');
    this.pump();
  }

  private async returnBuffered(reason: 'held' | 'drain'): Promise<void> {
    const tasks = this.buffer.takeAll();
    workerBufferedTasks.set(0);
    if (tasks.length === 0) return;
    let returned = 0;
    try {
      returned = await this.options.queue.returnUnstarted(
        this.owner,
        tasks.map((t) => t.id),
      );
    } catch (err) {
      // Their leases expire and the reaper re-delivers them (counting the attempt).
      this.options.log.warn({ err }, 'task:buffer:return-failed');
    }
    this.options.log.debug({ returned, reason }, 'worker:buffer:returned');
    this.options.onEvent?.({ type: 'worker:buffer:returned', returned, reason });
  }

  private async reap(): Promise<void> {
    if (this.stateValue !== 'running') return;
    try {
      const reaped = await this.options.queue.reapExpired();
      for (const r of reaped) {
        this.options.log.warn({ taskId: r.id, status: r.status }, 'task:lease:expired');
        this.options.onEvent?.({ type: 'task:lease:expired', taskId: r.id, status: r.status });
      }
      if (reaped.length > 0) this.pump();
    } catch (err) {
      this.options.log.warn({ err }, 'task:reap:failed');
    }
  }

  private async doDrain(timeoutMs: number): Promise<void> {
    if (this.stateValue === 'created') {
      this.stateValue = 'stopped';
      this.options.onEvent?.({ type: 'worker:stopped' });
      return;
    }
    this.stateValue = 'draining';
    try {
      for (const cleanup of this.cleanups.splice(0)) await cleanup();
      await this.cycle.idle();
      await this.returnBuffered('drain');
      await waitAtMost([...this.tracked], timeoutMs);
      await this.releaseUnfinished();
      await this.cycle.idle();
    } finally {
      for (const timer of this.timers.splice(0)) clearInterval(timer);
      this.stateValue = 'stopped';
      this.options.onEvent?.({ type: 'worker:stopped' });
    }
  }

  private async releaseUnfinished(): Promise<void> {
    const left = [...this.inFlight.values()];
    if (left.length === 0) return;
    for (const entry of left) entry.released = true;
    let released = 0;
    try {
      released = await this.options.queue.release(
        this.owner,
        left.map((e) => e.task.id),
      );
    } catch (err) {
      this.options.log.error({ err }, 'task:release:failed');
    }
    for (const entry of left) entry.controller.abort(new WorkerStoppingError());
    this.options.log.info({ released }, 'worker:drained');
    this.options.onEvent?.({ type: 'worker:drained', released });
  }
}

function describe(err: unknown): string {
  return truncate(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
}

function truncate(text: string): string {
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

/** 3600000 -> "1 h", 90500 -> "1 min 30 s", 2500 -> "2.5 s". */
function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  const h = Math.floor(ms / 3_600_000);
  const min = Math.floor((ms % 3_600_000) / 60_000);
  const sec = Math.floor((ms % 60_000) / 1000);
  return [h ? `${h} h` : '', min ? `${min} min` : '', sec ? `${sec} s` : ''].filter(Boolean).join(' ');
}

async function waitAtMost(promises: Promise<unknown>[], ms: number): Promise<void> {
  if (promises.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([Promise.allSettled(promises), timeout]);
  clearTimeout(timer);
}
