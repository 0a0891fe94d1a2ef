import { describe, expect, it } from 'vitest';
import { resourceValue } from '../../../src/metrics/index.js';
import { GAUGE_SUBJECT_CAP, createResourceGauges } from '../../../src/optimizer/gauges.js';

async function exposed() {
  return (await resourceValue.get()).values.map((v) => v.labels.subject as string);
}

describe('sutazai_resource_value', () => {
  it('exposes at most GAUGE_SUBJECT_CAP subjects and drops subjects that went away', async () => {
    const gauges = createResourceGauges();
    const points = Array.from({ length: GAUGE_SUBJECT_CAP + 20 }, (_, i) => ({
      series: `container:memory_bytes:c${i}`,
      value: i,
    }));
    gauges.update(points);
    const first = await exposed();
    expect(first).toHaveLength(GAUGE_SUBJECT_CAP);
    expect(first).not.toContain('other');
    gauges.update([{ series: 'container:memory_bytes:c0', value: 5 }]);
    expect(await exposed()).toEqual(['c0']);
    // A new name after the cap is reached is never exposed.
    gauges.update([{ series: 'container:memory_bytes:brand-new', value: 1 }]);
    expect(await exposed()).toEqual([]);
  });
});
