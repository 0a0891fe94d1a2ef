import { describe, expect, it } from 'vitest';
import type { Forecast, History, PlanChange, SeriesInfo } from '../../../web/src/api/optimizer-types.js';
import {
  bySeverity,
  chartColumns,
  chartTimeRange,
  defaultSeries,
  describeChange,
  evidenceFacts,
  forecastSummary,
  formatMetric,
  groupSeries,
  limitOf,
  seriesLabel,
  windowText,
  type ChartColumns,
} from '../../../web/src/pages/hardware/hardware-data.js';

const info = (name: string, lastValue: number | null = 1): SeriesInfo => {
  const [kind, metric, ...rest] = name.split(':');
  return { name, kind: kind!, metric: metric!, subject: rest.join(':'), lastAt: null, lastValue };
};

const SERIES = [
  info('process:memory_bytes:sutazai'),
  info('model:memory_bytes:llama3:8b'),
  info('container:memory_limit_bytes:redis', 64 * 1024 ** 2),
  info('container:memory_bytes:redis'),
  info('host:cpu_busy:cpu0'),
  info('host:memory_limit_bytes:host', 8 * 1024 ** 3),
  info('host:memory_bytes:host'),
  info('mcp:cpu_cores:everything'),
  info('container:cpu_cores:ollama'),
];

const T0 = Date.parse('2026-12-01T12:00:00Z');
const history = (values: number[]): History => ({
  series: 'container:memory_bytes:redis',
  from: new Date(T0).toISOString(),
  to: new Date(T0 + values.length * 60_000).toISOString(),
  step: 60,
  source: 'raw',
  points: values.map((v, i) => ({
    t: new Date(T0 + i * 60_000).toISOString(),
    count: 4,
    min: v,
    max: v,
    mean: v,
    p95: v,
  })),
});

const okForecast: Forecast = {
  series: 'container:memory_bytes:redis',
  window: { from: null, to: null, points: 100 },
  evidence: {
    status: 'ok',
    fits: { theilSen: { slopePerHour: 60, sigma: 1 }, leastSquares: { slopePerHour: 60, sigma: 1 } },
    relativeError: 0.01,
    interval: { autocorrelation: 0, effectivePoints: 100 },
    // Two hours after the last point (T0 + 2 min) the trend is at 250 ± 10.
    horizon: { at: new Date(T0 + 120_000 + 7_200_000).toISOString(), predicted: 250, lower: 240, upper: 260 },
    exhaustion: {
      ceiling: { bytes: 500, source: 'memory-limit' },
      at: null,
      inSeconds: 4 * 3600,
      reason: '',
    },
  },
};

describe('Hardware page data', () => {
  it('groups chartable series by kind in the picker order, limits and per-core busy left out', () => {
    expect(groupSeries(SERIES).map((g) => [g.label, g.series.map((s) => s.name)])).toEqual([
      ['Host', ['host:memory_bytes:host']],
      ['Containers', ['container:cpu_cores:ollama', 'container:memory_bytes:redis']],
      ['MCP servers', ['mcp:cpu_cores:everything']],
      ['Models', ['model:memory_bytes:llama3:8b']],
      ['Platform', ['process:memory_bytes:sutazai']],
    ]);
    expect(defaultSeries(SERIES)).toBe('host:memory_bytes:host');
    expect(defaultSeries([info('container:cpu_cores:a')])).toBe('container:cpu_cores:a');
    expect(defaultSeries([info('host:cpu_busy:cpu0')])).toBeUndefined();
  });

  it('labels and formats values in their units', () => {
    expect(seriesLabel('host:memory_bytes:host')).toBe('host · memory');
    expect(seriesLabel('model:memory_bytes:llama3:8b')).toBe('llama3:8b · memory');
    expect(formatMetric('memory_bytes', 64 * 1024 ** 2)).toBe('64 MiB');
    expect(formatMetric('cpu_cores', 1.853)).toBe('1.85 cores');
    expect(formatMetric('cpu_busy', 0.953)).toBe('95 %');
    expect(formatMetric('pressure_some', 3.14)).toBe('3.1 %');
    expect(formatMetric('memory_bytes', null)).toBe('—');
  });

  it('finds the limit line: own limit, else the forecast ceiling, else host memory; none for CPU', () => {
    expect(limitOf('container:memory_bytes:redis', SERIES)).toBe(64 * 1024 ** 2);
    expect(limitOf('process:memory_bytes:sutazai', SERIES)).toBe(8 * 1024 ** 3);
    expect(limitOf('process:memory_bytes:sutazai', SERIES, okForecast)).toBe(500);
    expect(limitOf('container:cpu_cores:ollama', SERIES)).toBeNull();
  });

  it('aligns history, the trend with its band to the horizon, and the limit', () => {
    const [x, mean, trend, lo, hi, limit] = chartColumns(history([100, 110, 120]), okForecast, 500);
    const last = (T0 + 120_000) / 1000;
    expect(x).toEqual([T0 / 1000, T0 / 1000 + 60, last, last + 7200]);
    expect(mean).toEqual([100, 110, 120, null]);
    // The trend at the last point: 250 − 60/h × 2 h = 130; the band keeps the horizon's half-width.
    expect(trend).toEqual([null, null, 130, 250]);
    expect(lo).toEqual([null, null, 120, 240]);
    expect(hi).toEqual([null, null, 140, 260]);
    expect(limit).toEqual([500, 500, 500, 500]);
  });

  it('draws no forecast when there is not enough evidence, and says why', () => {
    const refused: Forecast = {
      ...okForecast,
      evidence: { status: 'not-enough-evidence', reason: '3 points in the window; at least 30 are needed' },
    };
    const [x, , trend] = chartColumns(history([1, 2, 3]), refused, null);
    expect(x).toHaveLength(3);
    expect(trend).toEqual([null, null, null]);
    expect(forecastSummary('memory_bytes', refused)).toBe(
      'No forecast: not enough evidence (3 points in the window; at least 30 are needed).',
    );
    expect(forecastSummary('memory_bytes', okForecast)).toBe(
      'Forecast: 250 B (240 B – 260 B) by the horizon. Reaches the limit in about 4 h 0 min.',
    );
  });

  it('describes a plan change and its evidence in units', () => {
    const change: PlanChange = {
      id: 'container:redis:memory',
      target: { kind: 'container', name: 'redis' },
      resource: 'memory',
      current: 32 * 1024 ** 2,
      proposed: 80 * 1024 ** 2,
      unit: 'bytes',
      reason: 'Peak working set 69 MiB over 7 days plus 15 %.',
      evidence: {
        windowMs: 7 * 86_400_000,
        samples: 40_320,
        peak: 69 * 1024 ** 2,
        p95: 60 * 1024 ** 2,
        series: ['container:memory_bytes:redis'],
      },
    };
    expect(describeChange(change)).toBe('memory 32 MiB → 80 MiB');
    expect(evidenceFacts(change)).toEqual(['window 7 d', '40,320 samples', 'peak 69 MiB', 'p95 60 MiB']);
    expect(
      describeChange({
        ...change,
        resource: 'env',
        unit: 'text',
        current: null,
        proposed: 'OLLAMA_NUM_PARALLEL=2',
      }),
    ).toBe('env none → OLLAMA_NUM_PARALLEL=2');
  });

  it('says windows as people do', () => {
    expect([86_400_000, 7 * 86_400_000, 6 * 3_600_000, 600_000, 1500].map(windowText)).toEqual([
      '1 d',
      '7 d',
      '6 h',
      '10 min',
      '1.5 s',
    ]);
  });

  it('orders placement findings by severity', () => {
    const f = (rule: string, severity: 'low' | 'medium' | 'high') => ({ rule, severity });
    expect(
      bySeverity([f('a', 'low'), f('b', 'high'), f('c', 'medium'), f('d', 'high')]).map((x) => x.rule),
    ).toEqual(['b', 'd', 'c', 'a']);
  });
});

describe('chartTimeRange', () => {
  const cols = (xs: number[]): ChartColumns => [xs, xs.map(() => 1), [], [], [], []];

  it('spans the chosen window however few points there are', () => {
    expect(chartTimeRange(cols([1_000]), 0, 3_600)).toEqual([0, 3_600]);
    expect(chartTimeRange(cols([1_000, 1_001]), 0, 3_600)).toEqual([0, 3_600]);
    expect(chartTimeRange(cols([]), 0, 3_600)).toEqual([0, 3_600]);
  });

  it('widens to points and a forecast beyond the window', () => {
    expect(chartTimeRange(cols([-5, 100, 9_000]), 0, 3_600)).toEqual([-5, 9_000]);
  });
});
