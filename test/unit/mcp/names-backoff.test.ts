import { describe, expect, it } from 'vitest';
import { NameTable, decodeCursor, encodeCursor, EXPOSED_NAME } from '../../../src/mcp/aggregate/names.js';
import { backoffDelay, nextFailureCount } from '../../../src/mcp/process/backoff.js';
import { LineRing } from '../../../src/mcp/process/ring-buffer.js';

describe('exposed names', () => {
  it('uses server__tool when it fits and shortens reversibly when not', () => {
    const t = new NameTable();
    expect(t.expose('fs', 'read_file')).toBe('fs__read_file');
    expect(t.resolve('fs__read_file')).toEqual({ server: 'fs', item: 'read_file' });
    const long = t.expose('s'.repeat(40), 't'.repeat(40));
    const dotted = t.expose('fs', 'read.file');
    for (const n of [long, dotted]) expect(n).toMatch(EXPOSED_NAME);
    expect(t.resolve(long)).toEqual({ server: 's'.repeat(40), item: 't'.repeat(40) });
    expect(t.resolve(dotted)).toEqual({ server: 'fs', item: 'read.file' });
    expect(t.expose('s'.repeat(40), 't'.repeat(40) + 'u')).not.toBe(long);
  });

  it('round-trips composite cursors and rejects garbage', () => {
    expect(decodeCursor(encodeCursor({ s: 'fs', i: 100 }))).toEqual({ s: 'fs', i: 100 });
    expect(decodeCursor('not-a-cursor')).toBeUndefined();
  });
});

describe('CrashLoopBackOff', () => {
  const policy = { baseMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };
  it('doubles from 10 s to a 300 s cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(policy, n))).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000,
    ]);
  });
  it('resets the count after a run of 10 minutes', () => {
    expect(nextFailureCount(policy, 5, 1000)).toBe(6);
    expect(nextFailureCount(policy, 5, 600_000)).toBe(1);
  });
});

describe('stderr ring', () => {
  it('keeps the last lines and counts the dropped ones', () => {
    const r = new LineRing(3);
    r.write('a\nb\nc\nd\npart');
    expect(r.tail()).toEqual(['c', 'd', 'part']);
    expect(r.dropped).toBe(1);
  });
});
