import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Queryable } from '../../db/types.js';
import { optimizerAutoSteps } from '../../metrics/index.js';
import { AlertOutbox, DbOutboxStore } from '../../ops/index.js';
import { startSerialLoop } from '../../serial-loop.js';
import type { ApplyDeps } from '../plan/apply.js';
import { stepReport } from './report.js';
import { runAutoTick, type AutoTickResult } from './tick.js';

/** The doctor_alert_outbox row auto mode's reports queue in (the watch's is `watch`). */
export const AUTO_OUTBOX = 'optimizer-auto';

export interface OptimizerAutoOptions {
  db: Queryable;
  config: Config;
  logger: Logger;
  planDeps: () => ApplyDeps;
  clock?: () => number;
}

export interface OptimizerAuto {
  /** One tick now (tests); resolves when it and its deliveries are done. */
  tick(): Promise<AutoTickResult>;
  /** Idempotent: clears the timer and waits for the tick in flight. */
  stop(): Promise<void>;
}

/**
 * Auto mode's loop (decision 0076): one tick per optimizer.auto.intervalMs, the first one
 * interval after start, never two at once. After a tick its steps are queued as `optimizer:step`
 * in the doctor's outbox (a fresh read of the shared row, after the tick released its lease: only
 * the process whose tick took steps has any to queue) and delivered;
 * undelivered reports are retried at the next tick. A failing tick is logged; the loop goes on.
 * States: waiting → ticking → waiting; stop() → stopped (waits for the tick in flight).
 */
export function createOptimizerAuto(o: OptimizerAutoOptions): OptimizerAuto {
  return { tick: autoTick(o, autoLogger(o)), stop: async () => undefined };
}

const autoLogger = (o: OptimizerAutoOptions) => o.logger.child({ component: 'optimizer-auto' });

/** The tick of createOptimizerAuto, logging to `log` (the loop shares its logger with it). */
function autoTick(o: OptimizerAutoOptions, log: Logger): () => Promise<AutoTickResult> {
  const clock = o.clock ?? Date.now;
  const doctor = o.config.doctor;
  const holder = `${hostname()}:${process.pid}`;

  async function tick(): Promise<AutoTickResult> {
    const result = await runAutoTick({
      apply: o.planDeps(),
      kinds: o.config.optimizer.auto.kinds,
      holder,
      clock,
    });
    if (!result.ran) {
      log.debug({ reason: result.reason }, 'optimizer:auto:skipped');
      return result;
    }
    const outbox = new AlertOutbox({
      store: new DbOutboxStore(o.db, AUTO_OUTBOX),
      targets: doctor.webhooks,
      retry: { minMs: doctor.watch.alertRetryMinMs, maxMs: doctor.watch.alertRetryMaxMs },
      now: clock,
    });
    await outbox.load();
    for (const s of result.steps) {
      optimizerAutoSteps.inc({ outcome: s.outcome });
      log.info({ target: s.target, from: s.from, to: s.to, outcome: s.outcome }, 'optimizer:auto:step');
      outbox.report('optimizer:step', s.changeId, stepReport(s));
    }
    await outbox.save();
    for (const f of await outbox.deliver()) log.warn(f, 'optimizer:auto:alert:failed');
    return result;
  }
  return tick;
}

/** Starts the loop when optimizer.auto.enabled; undefined (nothing runs) otherwise. */
export function startOptimizerAuto(o: OptimizerAutoOptions): OptimizerAuto | undefined {
  if (!o.config.optimizer.auto.enabled) return undefined;
  const log = autoLogger(o);
  const tick = autoTick(o, log);
  const loop = startSerialLoop({
    intervalMs: o.config.optimizer.auto.intervalMs,
    run: tick,
    onError: (err) => log.error({ err }, 'optimizer:auto:tick:failed'),
  });
  return { tick, stop: () => loop.stop() };
}
