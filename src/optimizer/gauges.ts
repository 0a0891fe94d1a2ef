import { boundedLabel, fixedLabel, OTHER_LABEL, resourceValue } from '../metrics/index.js';
import { METRICS, parseSeries, SERIES_KINDS, type Point } from './types.js';

/** Distinct subjects the gauges may carry; later ones are not exposed (the API still has them). */
export const GAUGE_SUBJECT_CAP = 300;

/**
 * The latest value of every series as `sutazai_resource_value`. Kind and metric come from fixed
 * vocabularies; subjects (container, server and model names) are learned up to a cap, so a host
 * with churning container names cannot grow /metrics without bound. Replaced wholesale each pass:
 * subjects that went away stop being exposed.
 */
export function createResourceGauges() {
  const kind = fixedLabel(SERIES_KINDS);
  const metric = fixedLabel(METRICS);
  const subject = boundedLabel([], { learnCap: GAUGE_SUBJECT_CAP });
  return {
    update(points: readonly Point[]): void {
      resourceValue.reset();
      for (const p of points) {
        const parsed = parseSeries(p.series);
        if (!parsed) continue;
        subject.learn(parsed.subject);
        const s = subject(parsed.subject);
        if (s === OTHER_LABEL) continue; // summing unrelated subjects would be a made-up figure
        resourceValue.set({ kind: kind(parsed.kind), metric: metric(parsed.metric), subject: s }, p.value);
      }
    },
  };
}
