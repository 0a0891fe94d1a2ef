import type {
  Forecast,
  History,
  PlanChange,
  PlanUnit,
  SeriesInfo,
  Severity,
} from '../../api/optimizer-types.js';
import { bytes, duration } from '../../lib/format.js';

/**
 * Pure transforms of the Hardware page: which series to offer, how to print a value of a metric,
 * the chart's aligned columns (history, forecast band along the trend, limit line), and the words
 * for a plan change. Unit-tested in test/unit/web/hardware-data.test.ts.
 */

/** Kinds a person chooses between, in the order the picker shows them. */
export const KIND_LABELS: Record<string, string> = {
  host: 'Host',
  container: 'Containers',
  mcp: 'MCP servers',
  model: 'Models',
  process: 'Platform',
};

/** Metrics worth a chart (limits are drawn as lines on their usage series instead). */
const CHARTED = new Set(['memory_bytes', 'cpu_cores', 'vram_bytes', 'disk_bytes', 'pressure_some']);

/** Series grouped by kind for the picker, known kinds first, names sorted inside a group. */
export function groupSeries(
  series: readonly SeriesInfo[],
): Array<{ kind: string; label: string; series: SeriesInfo[] }> {
  const groups = new Map<string, SeriesInfo[]>();
  for (const s of series) if (CHARTED.has(s.metric)) groups.set(s.kind, [...(groups.get(s.kind) ?? []), s]);
  const order = Object.keys(KIND_LABELS);
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return [...groups.entries()]
    .sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]))
    .map(([kind, list]) => ({
      kind,
      label: KIND_LABELS[kind] ?? kind,
      series: [...list].sort((a, b) => a.name.localeCompare(b.name)),
    }));
}

/** The series shown first: host memory when recorded, else the first chartable one. */
export function defaultSeries(series: readonly SeriesInfo[]): string | undefined {
  const groups = groupSeries(series);
  const all = groups.flatMap((g) => g.series);
  return (all.find((s) => s.name === 'host:memory_bytes:host') ?? all[0])?.name;
}

/** "memory" / "CPU" … for a label: `host:memory_bytes:host` → "host · memory". */
export function seriesLabel(name: string): string {
  const [kind, metric, ...rest] = name.split(':');
  const words: Record<string, string> = {
    memory_bytes: 'memory',
    cpu_cores: 'CPU',
    cpu_busy: 'CPU busy',
    vram_bytes: 'VRAM',
    disk_bytes: 'disk',
    pressure_some: 'pressure',
  };
  const subject = rest.join(':');
  return `${kind === subject ? kind : subject} · ${words[metric ?? ''] ?? metric}`;
}

export function metricOf(name: string): string {
  return name.split(':')[1] ?? '';
}

/** A value of a metric for people: bytes in binary units, CPU in cores, busy as %. */
export function formatMetric(metric: string, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (metric.endsWith('_bytes')) return bytes(v);
  if (metric === 'cpu_cores') return `${v < 10 ? v.toFixed(2) : Math.round(v)} cores`;
  if (metric === 'cpu_busy') return `${Math.round(v * 100)} %`;
  if (metric.startsWith('pressure_')) return `${v.toFixed(1)} %`;
  return v.toFixed(2);
}

/** The short unit for the chart's axis. */
export function axisUnit(metric: string): string {
  if (metric.endsWith('_bytes')) return 'bytes';
  if (metric === 'cpu_cores') return 'cores';
  return '%';
}

/** The series holding the limit of a usage series, when it has one. */
export function limitSeriesName(name: string): string | undefined {
  const [kind, metric, ...rest] = name.split(':');
  const subject = rest.join(':');
  if (metric === 'memory_bytes') return `${kind}:memory_limit_bytes:${subject}`;
  if (metric === 'disk_bytes') return `${kind}:disk_limit_bytes:${subject}`;
  return undefined;
}

/** The limit line: the series' own limit, else (memory) the host's; from the forecast when it has one. */
export function limitOf(name: string, series: readonly SeriesInfo[], forecast?: Forecast): number | null {
  const own = limitSeriesName(name);
  if (!own) return null;
  const value = (n: string) => series.find((s) => s.name === n)?.lastValue ?? null;
  const ev = forecast?.evidence;
  return (
    value(own) ??
    (ev?.status === 'ok' ? (ev.exhaustion.ceiling?.bytes ?? null) : null) ??
    (metricOf(name) === 'memory_bytes' ? value('host:memory_limit_bytes:host') : null)
  );
}

/** Columns for uPlot: x (unix s), mean, trend, band lower, band upper, limit. */
export type ChartColumns = [
  number[],
  Array<number | null>,
  Array<number | null>,
  Array<number | null>,
  Array<number | null>,
  Array<number | null>,
];

/**
 * History means, then the forecast from the last point to the horizon: the trend line, and the
 * prediction interval at the horizon (its half-width) drawn along it as the band — the interval is
 * widest at the horizon, so the band never understates it. The limit is a flat line over both.
 */
export function chartColumns(
  history: History,
  forecast: Forecast | undefined,
  limit: number | null,
): ChartColumns {
  const cols: ChartColumns = [[], [], [], [], [], []];
  const push = (
    t: number,
    mean: number | null,
    trend: number | null,
    lo: number | null,
    hi: number | null,
  ) => {
    cols[0].push(t);
    cols[1].push(mean);
    cols[2].push(trend);
    cols[3].push(lo);
    cols[4].push(hi);
    cols[5].push(limit);
  };
  for (const p of history.points) push(Date.parse(p.t) / 1000, p.mean, null, null, null);
  const ev = forecast?.evidence;
  const last = cols[0].at(-1);
  if (ev?.status === 'ok' && last !== undefined) {
    const end = Date.parse(ev.horizon.at) / 1000;
    const half = (ev.horizon.upper - ev.horizon.lower) / 2;
    const trendAt = (t: number) => ev.horizon.predicted + (ev.fits.theilSen.slopePerHour * (t - end)) / 3600;
    const start = trendAt(last);
    cols[2][cols[2].length - 1] = start;
    cols[3][cols[3].length - 1] = start - half;
    cols[4][cols[4].length - 1] = start + half;
    if (end > last) push(end, null, ev.horizon.predicted, ev.horizon.lower, ev.horizon.upper);
  }
  return cols;
}

/** One sentence about the forecast for the chart's caption. */
export function forecastSummary(metric: string, forecast: Forecast | undefined): string {
  if (!forecast) return 'Forecast: loading…';
  const ev = forecast.evidence;
  if (ev.status !== 'ok') return `No forecast: not enough evidence (${ev.reason}).`;
  const h = ev.horizon;
  const range = `${formatMetric(metric, h.lower)} – ${formatMetric(metric, h.upper)}`;
  const when =
    ev.exhaustion.inSeconds !== null
      ? ` Reaches the limit in about ${duration(ev.exhaustion.inSeconds * 1000)}.`
      : ev.exhaustion.ceiling
        ? ' Does not reach the limit on this trend.'
        : '';
  return `Forecast: ${formatMetric(metric, h.predicted)} (${range}) by the horizon.${when}`;
}

/** A window as people say it: 7 d, 24 h, 30 min; anything finer as a duration. */
export function windowText(ms: number): string {
  if (ms >= 86_400_000 && ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return duration(ms);
}

const UNIT_METRIC: Record<PlanUnit, string> = { bytes: 'memory_bytes', cores: 'cpu_cores', text: '' };

/** A plan value in its unit; text as is; null as "none". */
export function formatPlanValue(unit: PlanUnit, v: number | string | null): string {
  if (v === null) return 'none';
  if (typeof v === 'string' || unit === 'text') return String(v);
  return formatMetric(UNIT_METRIC[unit], v);
}

/** "memory 512 MiB → 640 MiB" */
export function describeChange(c: PlanChange): string {
  return `${c.resource} ${formatPlanValue(c.unit, c.current)} → ${formatPlanValue(c.unit, c.proposed)}`;
}

/** The evidence of a change as short facts: window, samples, peak, p95, fit. */
export function evidenceFacts(c: PlanChange): string[] {
  const e = c.evidence;
  const metric = UNIT_METRIC[c.unit];
  const facts = [`window ${windowText(e.windowMs)}`, `${e.samples.toLocaleString('en-US')} samples`];
  if (e.peak !== undefined) facts.push(`peak ${formatMetric(metric, e.peak)}`);
  if (e.p95 !== undefined) facts.push(`p95 ${formatMetric(metric, e.p95)}`);
  if (e.fit)
    facts.push(
      `trend ${formatMetric(metric, e.fit.slopePerHour)}/h (residual σ ${formatMetric(metric, e.fit.residualStd)})`,
    );
  return facts;
}

const RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

/** Placement findings, most severe first (stable within a severity). */
export function bySeverity<T extends { severity: Severity }>(findings: readonly T[]): T[] {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

/** History ranges offered, with the step that keeps a chart near a few hundred points. */
export const RANGES = [
  { label: '1 hour', ms: 3_600_000, step: '15s' },
  { label: '6 hours', ms: 6 * 3_600_000, step: '1m' },
  { label: '24 hours', ms: 86_400_000, step: '5m' },
  { label: '7 days', ms: 7 * 86_400_000, step: '1h' },
] as const;

/**
 * The chart's time axis: the chosen window (`fromSeconds` to `toSeconds`), widened to any point or
 * forecast beyond it. Without it a chart of one or two points spans whatever uPlot pads them to
 * (years for one point, seconds for two a second apart).
 */
export function chartTimeRange(
  columns: ChartColumns,
  fromSeconds: number,
  toSeconds: number,
): [number, number] {
  const xs = columns[0];
  const first = xs[0];
  const last = xs.at(-1);
  return [Math.min(fromSeconds, first ?? fromSeconds), Math.max(toSeconds, last ?? toSeconds)];
}
