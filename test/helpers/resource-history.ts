import type { Db } from '../../src/db/index.js';
import { SampleWriter } from '../../src/optimizer/index.js';

/**
 * Writes a flat history through the sampler's own writer: one sample of each series every
 * `everyMs` over [until − spanMs, until], so the plan sees `spanMs` of history ending at `until`.
 */
export async function writeFlatHistory(
  db: Db,
  values: Record<string, number>,
  opts: { until: number; spanMs: number; everyMs?: number },
): Promise<void> {
  const writer = new SampleWriter(db, 1000);
  const every = opts.everyMs ?? 300_000;
  const points = Object.entries(values).map(([series, value]) => ({ series, value }));
  for (let t = opts.until - opts.spanMs; t <= opts.until; t += every) await writer.write(t, points);
}
