import type { Logger } from 'pino';
import type { Queryable } from '../db/index.js';
import { agentsMarkedOffline } from '../metrics/index.js';
import { startSerialLoop } from '../serial-loop.js';
import { markStaleAgentsOffline } from './bookkeeping.js';

/**
 * A small reconcile loop: every `intervalMs` it marks offline the agents whose last heartbeat is
 * older than `staleAfterMs`. A failing pass (database down) is logged and retried on the next
 * tick; it never stops the loop. Safe to run in several processes: the UPDATE is idempotent.
 */
export interface StaleSweepOptions {
  db: Queryable;
  logger: Logger;
  staleAfterMs: number;
  intervalMs: number;
}

export interface StaleSweep {
  /** One pass now; returns the names marked offline. */
  runOnce(): Promise<string[]>;
  /** Idempotent; waits for a pass in flight. */
  stop(): Promise<void>;
}

export function startStaleAgentSweep(options: StaleSweepOptions): StaleSweep {
  const log = options.logger.child({ component: 'agents:stale-sweep' });
  const runOnce = async (): Promise<string[]> => {
    const names = await markStaleAgentsOffline(options.db, options.staleAfterMs);
    if (names.length > 0) {
      agentsMarkedOffline.inc(names.length);
      log.warn({ agents: names, staleAfterMs: options.staleAfterMs }, 'agents:offline');
    }
    return names;
  };
  const loop = startSerialLoop({
    intervalMs: options.intervalMs,
    run: runOnce,
    onError: (err) => log.error({ err }, 'agents:stale-sweep:failed'),
  });
  return { runOnce, stop: () => loop.stop() };
}
