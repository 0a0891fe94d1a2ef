import { LlmError } from './errors.js';

/**
 * Per-model concurrency (like OLLAMA_NUM_PARALLEL) with a bounded FIFO wait queue. The backlog
 * lives here and in our task table, never in Ollama's own queue: at most `limit` calls per model
 * reach the backend. Past `maxQueue` waiters, or after `queueTimeoutMs` of waiting, a caller gets
 * a `limiter_full`/`busy` LlmError that routes turn into 503 + Retry-After.
 */
export interface LimiterOptions {
  maxQueue: number;
  queueTimeoutMs: number;
  onChange?: (key: string, inFlight: number, waiting: number) => void;
}

interface Waiter {
  grant: () => void;
  reject: (err: Error) => void;
}

interface Lane {
  inFlight: number;
  waiters: Waiter[];
}

export type Release = () => void;

export class ModelLimiter {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly options: LimiterOptions) {}

  /** Every lane that has been used (`backend/model` keys). */
  keys(): string[] {
    return [...this.lanes.keys()];
  }

  snapshot(key: string): { inFlight: number; waiting: number } {
    const lane = this.lanes.get(key);
    return { inFlight: lane?.inFlight ?? 0, waiting: lane?.waiters.length ?? 0 };
  }

  async acquire(
    key: string,
    limit: number,
    info: { backend: string; model: string },
    signal?: AbortSignal,
  ): Promise<Release> {
    if (signal?.aborted) throw new LlmError('aborted', 'call aborted', info);
    const lane = this.lane(key);
    if (lane.inFlight < limit && lane.waiters.length === 0) {
      lane.inFlight += 1;
      this.changed(key, lane);
      return this.releaser(key, lane, limit);
    }
    if (lane.waiters.length >= this.options.maxQueue) {
      throw new LlmError('limiter_full', `${lane.waiters.length} calls already waiting`, {
        ...info,
        retryAfter: 2,
      });
    }
    await this.wait(key, lane, info, signal);
    return this.releaser(key, lane, limit);
  }

  private wait(
    key: string,
    lane: Lane,
    info: { backend: string; model: string },
    signal?: AbortSignal,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = lane.waiters.indexOf(waiter);
        if (i !== -1) lane.waiters.splice(i, 1);
        this.changed(key, lane);
      };
      const waiter: Waiter = {
        grant: () => {
          leave();
          resolve();
        },
        reject: (err) => {
          leave();
          reject(err);
        },
      };
      const onAbort = () =>
        waiter.reject(new LlmError('aborted', 'call aborted while waiting for a slot', info));
      const timer = setTimeout(
        () =>
          waiter.reject(
            new LlmError('busy', `no slot within ${this.options.queueTimeoutMs} ms`, {
              ...info,
              retryAfter: 5,
            }),
          ),
        this.options.queueTimeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      lane.waiters.push(waiter);
      this.changed(key, lane);
    });
  }

  private releaser(key: string, lane: Lane, limit: number): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      lane.inFlight -= 1;
      // Hand the slot straight to the next waiter so no newcomer can jump the queue.
      while (lane.inFlight < limit && lane.waiters.length > 0) {
        lane.inFlight += 1;
        lane.waiters[0]!.grant();
      }
      this.changed(key, lane);
    };
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { inFlight: 0, waiters: [] };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private changed(key: string, lane: Lane): void {
    this.options.onChange?.(key, lane.inFlight, lane.waiters.length);
  }
}
