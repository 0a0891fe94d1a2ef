import { describe, expect, it } from 'vitest';
import {
  bytes,
  count,
  duration,
  freshStatus,
  percent,
  relativeTime,
  timeAxisLabels,
} from '../../../web/src/lib/format.js';
import { match } from '../../../web/src/lib/router.js';
import { groupFindings } from '../../../web/src/pages/doctor/doctor-page.js';
import type { Finding } from '../../../web/src/api/types.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('formatting', () => {
  it('relative times use the largest whole unit, past and future', () => {
    expect(relativeTime(ago(12_000), NOW)).toBe('12 sec. ago');
    expect(relativeTime(ago(5 * 60_000), NOW)).toBe('5 min. ago');
    expect(relativeTime(ago(-3 * 3600_000), NOW)).toBe('in 3 hr.');
    expect(relativeTime(ago(200), NOW)).toBe('just now');
    expect(relativeTime(null, NOW)).toBe('never');
    expect(relativeTime('garbage', NOW)).toBe('unknown');
  });

  it('durations, sizes, counts and ratios carry units', () => {
    expect(duration(950)).toBe('950 ms');
    expect(duration(1234)).toBe('1.2 s');
    expect(duration(42_000)).toBe('42 s');
    expect(duration(184_000)).toBe('3 min 4 s');
    expect(duration(7_500_000)).toBe('2 h 5 min');
    expect(duration(null)).toBe('—');
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1536)).toBe('1.5 KiB');
    expect(bytes(20 * 1024 * 1024)).toBe('20 MiB');
    expect(count(1234567)).toBe('1,234,567');
    expect(percent(0.953)).toBe('95 %');
    expect(percent(null)).toBe('—');
  });

  it('a stale or missing probe result is unknown, never up', () => {
    expect(freshStatus('up', ago(5_000), 120_000, NOW)).toBe('up');
    expect(freshStatus('down', ago(5_000), 120_000, NOW)).toBe('down');
    expect(freshStatus('up', ago(121_000), 120_000, NOW)).toBe('unknown');
    expect(freshStatus('up', null, 120_000, NOW)).toBe('unknown');
  });
});

describe('routing', () => {
  it('matches path patterns with parameters', () => {
    expect(match('/tasks/:id', '/tasks/abc')).toEqual({ id: 'abc' });
    expect(match('/tasks/:id', '/tasks')).toBeUndefined();
    expect(match('/tasks/:id', '/agents/abc')).toBeUndefined();
    expect(match('/tasks/:id', '/tasks/a%2Fb')).toEqual({ id: 'a/b' });
  });
});

describe('doctor findings', () => {
  const f = (service: string, severity: Finding['severity'], ruleId = 'r'): Finding => ({
    service,
    severity,
    ruleId,
    message: 'm',
    evidence: {},
    fingerprint: `${service}-${severity}-${ruleId}`,
  });

  it('groups by service, most severe service first, most severe finding first', () => {
    const groups = groupFindings([
      f('web', 'low'),
      f('db', 'medium'),
      f('web', 'critical'),
      f('cache', 'medium'),
    ]);
    expect(groups.map(([s, fs]) => [s, fs.map((x) => x.severity)])).toEqual([
      ['web', ['critical', 'low']],
      ['cache', ['medium']],
      ['db', ['medium']],
    ]);
  });
});

describe('timeAxisLabels', () => {
  const start = Date.UTC(2026, 11, 1, 4, 54, 0) / 1000;
  const ticks = (n: number, incr: number) => Array.from({ length: n }, (_, i) => start + i * incr);
  const hhmm = { hour: '2-digit', minute: '2-digit' } as const;

  it('shows seconds when the ticks are less than a minute apart, so no two labels repeat', () => {
    const labels = timeAxisLabels(ticks(16, 5), 5, hhmm);
    expect(new Set(labels).size).toBe(16);
    for (const label of labels) expect(label).toMatch(/^\d\d:\d\d:\d\d$/);
  });

  it("uses the caller's clock for ticks minutes apart, and the day for ticks days apart", () => {
    const minutes = timeAxisLabels(ticks(6, 600), 600, hhmm);
    expect(new Set(minutes).size).toBe(6);
    for (const label of minutes) expect(label).toMatch(/^\d\d:\d\d$/);
    const days = timeAxisLabels(ticks(5, 86_400), 86_400, hhmm);
    expect(new Set(days).size).toBe(5);
    for (const label of days) expect(label).toMatch(/^\d\d [A-Z][a-z]{2}$/);
  });
});
