/**
 * Times and steps as people and Prometheus write them: a time is ISO 8601 or unix seconds; a step
 * is seconds, or a number with s, m, h or d. Both return undefined for anything else.
 */
export function parseTime(text: string): number | undefined {
  if (/^\d{1,12}(\.\d{1,6})?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

export function parseStep(text: string): number | undefined {
  const m = /^(\d{1,8})([smhd])?$/.exec(text);
  if (!m) return undefined;
  const seconds = Number(m[1]) * UNIT_SECONDS[(m[2] ?? 's') as keyof typeof UNIT_SECONDS];
  return seconds >= 1 && seconds <= 366 * 86_400 ? seconds : undefined;
}
