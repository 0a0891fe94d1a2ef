/**
 * Shared shapes of the optimizer: where the kernel's files are, what a sample is, and how a series
 * is named. A series name is `kind:metric:subject`; the subject comes last and may itself contain
 * colons (model names such as `llama3:8b`), so parse on the first two colons only.
 */
export interface SystemRoots {
  /** Usually /proc. */
  proc: string;
  /** Usually /sys (CPU topology). */
  sys: string;
  /** Usually /sys/fs/cgroup (v2 unified, or v1 with one directory per controller). */
  cgroup: string;
}

export const DEFAULT_ROOTS: SystemRoots = { proc: '/proc', sys: '/sys', cgroup: '/sys/fs/cgroup' };

export const SERIES_KINDS = ['container', 'process', 'mcp', 'model', 'host'] as const;
export type SeriesKind = (typeof SERIES_KINDS)[number];

/**
 * Metrics a series can carry. `*_bytes` are gauges in bytes; `cpu_cores` is CPU time per second
 * (1 = one core busy); `cpu_busy` is a core's busy fraction (0..1); `pressure_*` are the kernel's
 * PSI avg10 percentages.
 */
export const METRICS = [
  'cpu_cores',
  'cpu_busy',
  'memory_bytes',
  'memory_limit_bytes',
  'vram_bytes',
  'disk_bytes',
  'disk_limit_bytes',
  'pressure_some',
  'pressure_full',
] as const;
export type Metric = (typeof METRICS)[number];

export interface Point {
  series: string;
  value: number;
}

export interface ParsedSeries {
  kind: SeriesKind;
  metric: Metric;
  subject: string;
}

/** Printable subject: anything outside a conservative set becomes `_`; at most 200 characters. */
export function sanitizeSubject(subject: string): string {
  const s = subject.replace(/[^A-Za-z0-9_.:@-]/g, '_').slice(0, 200);
  return s.length ? s : '_';
}

export function seriesName(kind: SeriesKind, metric: Metric, subject: string): string {
  return `${kind}:${metric}:${sanitizeSubject(subject)}`;
}

/** The pattern the API validates `{series}` with. */
export const SERIES_PATTERN = new RegExp(
  `^(${SERIES_KINDS.join('|')}):(${METRICS.join('|')}):[A-Za-z0-9_.:@-]{1,200}$`,
);

export function parseSeries(name: string): ParsedSeries | undefined {
  if (!SERIES_PATTERN.test(name)) return undefined;
  const first = name.indexOf(':');
  const second = name.indexOf(':', first + 1);
  return {
    kind: name.slice(0, first) as SeriesKind,
    metric: name.slice(first + 1, second) as Metric,
    subject: name.slice(second + 1),
  };
}

/** The series holding the ceiling a usage series can exhaust (same subject), when it has one. */
export function limitSeriesOf(name: string): string | undefined {
  const p = parseSeries(name);
  if (!p) return undefined;
  if (p.metric === 'memory_bytes') return `${p.kind}:memory_limit_bytes:${p.subject}`;
  if (p.metric === 'disk_bytes') return `${p.kind}:disk_limit_bytes:${p.subject}`;
  return undefined;
}

/** Host memory total: the ceiling of anything without a limit of its own. */
export const HOST_MEMORY_TOTAL = 'host:memory_limit_bytes:host';
