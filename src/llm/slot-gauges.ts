import { llmInFlight, llmWaiting, type BoundedLabel } from '../metrics/index.js';

/**
 * Feeds the per-model slot gauges from the limiter's per-lane changes. Lanes of unknown models
 * share the `<backend>/other` series, so the gauge shows their sum rather than whichever lane
 * changed last. Idle lanes are forgotten, so this map is bounded by calls in progress.
 */
export function slotGauges(
  modelLabel: BoundedLabel,
): (key: string, inFlight: number, waiting: number) => void {
  const lanes = new Map<string, { label: string; inFlight: number; waiting: number }>();
  const labelOf = (key: string): string => {
    const slash = key.indexOf('/');
    return `${key.slice(0, slash)}/${modelLabel(key.slice(slash + 1))}`;
  };
  return (key, inFlight, waiting) => {
    const label = labelOf(key);
    if (inFlight === 0 && waiting === 0) lanes.delete(key);
    else lanes.set(key, { label, inFlight, waiting });
    let sumIn = 0;
    let sumWait = 0;
    for (const lane of lanes.values()) {
      if (lane.label !== label) continue;
      sumIn += lane.inFlight;
      sumWait += lane.waiting;
    }
    llmInFlight.set({ model: label }, sumIn);
    llmWaiting.set({ model: label }, sumWait);
  };
}
