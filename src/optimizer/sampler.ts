import type { Logger } from 'pino';
import type { Db } from '../db/types.js';
import { resourceSamplesDropped, resourceSourceFailures } from '../metrics/index.js';
import type { Collector, CollectResult } from './collector.js';
import { createResourceGauges } from './gauges.js';
import { enforceRetention, RESOLUTIONS, rollUp } from './store/rollup.js';
import { startSerialLoop } from '../serial-loop.js';
import { SampleWriter } from './store/write.js';

export interface SamplerOptions {
  db: Db;
  collector: Collector;
  logger: Logger;
  intervalMs: number;
  maxSeries: number;
  now?: () => number;
  /** Called after each pass (tests and the CLI wait on it instead of sleeping). */
  onPass?: (pass: PassResult) => void;
}

export interface PassResult extends CollectResult {
  written: number;
  droppedOverCap: number;
  rolledUp: number;
}

export interface ResourceSampler {
  /** Runs one pass now (collect, store, roll up, retention). */
  pass(): Promise<PassResult>;
  /** Stops the timer and waits for a pass in flight; idempotent. */
  stop(): Promise<void>;
}

/** Roll-ups and retention run when a 5-minute boundary has passed since the last time. */
const MAINTENANCE_EVERY_MS = 300_000;

/**
 * The sampler loop: one pass per interval, never two at once (a slow pass delays the next rather
 * than stacking). States: running → stopping (timer cleared, waiting for the pass in flight) →
 * stopped. A failing pass is logged and counted; the loop goes on.
 */
export function startResourceSampler(options: SamplerOptions): ResourceSampler {
  const now = options.now ?? Date.now;
  const writer = new SampleWriter(options.db, options.maxSeries);
  const gauges = createResourceGauges();
  const log = options.logger.child({ component: 'optimizer-sampler' });
  let lastMaintenance = 0;
  const warned = new Set<string>();

  async function pass(): Promise<PassResult> {
    const collected = await options.collector.collect();
    for (const [source, reason] of Object.entries(collected.failed)) {
      resourceSourceFailures.inc({ source });
      // Once per source per run at warn level; Docker or Ollama absent is normal on a laptop.
      if (!warned.has(source)) log.warn({ source, reason }, 'optimizer:source:failed');
      warned.add(source);
    }
    const w = await writer.write(collected.at, collected.points);
    if (w.droppedOverCap) resourceSamplesDropped.inc(w.droppedOverCap);
    gauges.update(collected.points);
    let rolledUp = 0;
    if (now() - lastMaintenance >= MAINTENANCE_EVERY_MS) {
      for (const r of RESOLUTIONS) rolledUp += await rollUp(options.db, r, now());
      await enforceRetention(options.db, now());
      lastMaintenance = now();
    }
    const result = { ...collected, written: w.written, droppedOverCap: w.droppedOverCap, rolledUp };
    options.onPass?.(result);
    return result;
  }

  // The first reading primes the CPU counters; the first stored CPU rate comes one interval later.
  const loop = startSerialLoop({
    intervalMs: options.intervalMs,
    run: pass,
    onError: (err) => log.error({ err }, 'optimizer:pass:failed'),
    first: options.collector.collect().catch(() => undefined),
  });
  return { pass, stop: () => loop.stop() };
}
