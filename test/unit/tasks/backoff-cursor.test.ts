import { describe, expect, it } from 'vitest';
import { backoffDelayMs, decodeCursor, encodeCursor } from '../../../src/tasks/index.js';

describe('backoff with full jitter', () => {
  it('doubles the window per attempt up to the cap', () => {
    const top = (n: number) => backoffDelayMs(n, { baseMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 30, 1000].map(top)).toEqual([99, 199, 399, 799, 999, 999, 999]);
  });

  it('spreads delays over the whole window, down to zero', () => {
    expect(backoffDelayMs(3, { baseMs: 100, maxMs: 1000, random: () => 0 })).toBe(0);
    expect(backoffDelayMs(3, { baseMs: 100, maxMs: 1000, random: () => 0.5 })).toBe(200);
  });
});

describe('list cursors', () => {
  it('round-trips a microsecond timestamp and id', () => {
    const cursor = { createdAt: '2026-11-22 01:30:17.984123+00', id: '0e9c4a55-8b3c-4f7e-9a51-3a2f1c0d9e8b' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('rejects anything it did not issue', () => {
    const forged = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const text of [
      'garbage!',
      forged({ a: 1 }),
      forged(['2026-01-01 00:00:00+00', 'not-a-uuid']),
      forged(["2026-01-01'; DROP TABLE tasks; --", '0e9c4a55-8b3c-4f7e-9a51-3a2f1c0d9e8b']),
    ]) {
      expect(decodeCursor(text)).toBeUndefined();
    }
  });
});
