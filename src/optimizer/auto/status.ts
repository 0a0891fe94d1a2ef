import type { OptimizerConfig } from '../../config/schema.js';
import type { Queryable } from '../../db/types.js';
import type { AutoStatus } from '../plan-schema.js';
import { autoPaused, recentSteps } from './rows.js';

/** What GET /api/v1/optimizer/auto, `sutazai optimize auto status` and the Hardware page show. */
export async function autoStatus(db: Queryable, config: OptimizerConfig): Promise<AutoStatus> {
  return {
    enabled: config.enabled && config.auto.enabled,
    paused: await autoPaused(db),
    intervalMs: config.auto.intervalMs,
    kinds: [...config.auto.kinds],
    steps: await recentSteps(db),
  };
}
