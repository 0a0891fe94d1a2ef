const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** "5 s ago", "in 3 min", "2 h ago": the largest whole unit, short style. */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'unknown';
  const seconds = Math.round((t - now) / 1000);
  if (Math.abs(seconds) < 1) return 'just now';
  const fmt = new Intl.RelativeTimeFormat('en', { numeric: 'always', style: 'short' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return fmt.format(Math.trunc(seconds / size), unit);
  }
  return fmt.format(seconds, 'second');
}

/** The absolute time shown on hover: local, to the second. */
export function absoluteTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : t.toLocaleString('en-GB', { hour12: false });
}

/** 950 ms, 1.2 s, 3 min 4 s, 2 h 5 min. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** 512 B, 1.5 KiB, 20 MiB, 3.1 GiB. */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** 1,234 with thousands separators; "—" for nothing. */
export function count(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US');
}

/** 0.953 → "95 %"; null → "—". */
export function percent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${Math.round(ratio * 100)} %`;
}

/**
 * A probe result is only as good as its age: older than `staleAfterMs` it is shown as unknown,
 * so the page never claims "up" on a result the server stopped refreshing.
 */
export function freshStatus(
  status: 'up' | 'down' | 'unknown',
  checkedAt: string | null,
  staleAfterMs: number,
  now = Date.now(),
): 'up' | 'down' | 'unknown' {
  if (!checkedAt) return 'unknown';
  const t = Date.parse(checkedAt);
  if (Number.isNaN(t) || now - t > staleAfterMs) return 'unknown';
  return status;
}

/**
 * Labels for a time axis whose ticks are `incrSeconds` apart: with seconds when the ticks are
 * less than a minute apart (else a chart of the last few seconds repeats one "hh:mm" on every
 * tick), with the day when they are a day or more apart, otherwise `clock` (default hh:mm:ss).
 */
export function timeAxisLabels(
  seconds: readonly number[],
  incrSeconds: number,
  clock: Intl.DateTimeFormatOptions = {},
): string[] {
  const options: Intl.DateTimeFormatOptions =
    incrSeconds >= 86_400
      ? { day: '2-digit', month: 'short' }
      : incrSeconds < 60
        ? { hour: '2-digit', minute: '2-digit', second: '2-digit' }
        : clock;
  const format = incrSeconds >= 86_400 ? 'toLocaleDateString' : 'toLocaleTimeString';
  return seconds.map((s) => new Date(s * 1000)[format]('en-GB', { hour12: false, ...options }));
}
