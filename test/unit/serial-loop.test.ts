import { describe, expect, it } from 'vitest';
import { startSerialLoop } from '../../src/serial-loop.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startSerialLoop', () => {
  it('never runs twice at once, goes on after a failing run, and stop() waits for the run in flight', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const errors: unknown[] = [];
    const loop = startSerialLoop({
      intervalMs: 1,
      run: async () => {
        most = Math.max(most, ++running);
        runs++;
        await sleep(10); // far longer than the interval: runs would stack if the loop let them
        running--;
        if (runs === 2) throw new Error('boom');
      },
      onError: (err) => errors.push(err),
    });
    while (runs < 4) await sleep(2);
    await loop.stop();
    expect(running).toBe(0); // a run in flight (the fourth, usually) ended before stop() resolved
    expect(most).toBe(1);
    expect(errors).toHaveLength(1);
    const after = runs;
    await sleep(20);
    expect(runs).toBe(after);
    await loop.stop(); // idempotent
  });

  it('awaits `first` before its first wait', async () => {
    const order: string[] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve)).then(() => void order.push('first'));
    const loop = startSerialLoop({
      intervalMs: 1,
      run: async () => void order.push('run'),
      onError: () => undefined,
      first,
    });
    await sleep(15);
    expect(order).toEqual([]);
    release();
    while (!order.includes('run')) await sleep(2);
    await loop.stop();
    expect(order[0]).toBe('first');
  });
});
