import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/index.js';
import type { Collector } from '../../../src/optimizer/index.js';
import {
  enforceRetention,
  listSeries,
  rollUp,
  SampleWriter,
  seriesForecast,
  seriesHistory,
  startResourceSampler,
} from '../../../src/optimizer/index.js';
import { freshPglite } from '../../helpers/db.js';

const H = 3_600_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');
const S = 'container:memory_bytes:redis';

let db: Db;
beforeAll(async () => {
  db = await freshPglite();
});
afterAll(async () => db?.close());
beforeEach(async () => {
  await db.query('DELETE FROM resource_series');
});

async function rollups(resolution: number) {
  const r = await db.query<{
    bucket: Date;
    count: number;
    min: number;
    max: number;
    mean: number;
    p95: number;
  }>(
    'SELECT bucket, count, min, max, mean, p95 FROM resource_rollups WHERE resolution = $1 ORDER BY bucket',
    [resolution],
  );
  return r.rows.map((x) => ({ ...x, bucket: new Date(x.bucket).toISOString() }));
}

describe('roll-ups', () => {
  it('computes count, min, max, mean and p95 per 5-minute and hourly bucket from raw samples', async () => {
    const w = new SampleWriter(db, 100);
    // Bucket 00:00-00:05: 1..20 every 15 s. Bucket 00:05-00:10: a constant 7.
    for (let i = 0; i < 20; i++) await w.write(T0 + i * 15_000, [{ series: S, value: i + 1 }]);
    for (let i = 0; i < 20; i++) await w.write(T0 + 300_000 + i * 15_000, [{ series: S, value: 7 }]);
    // A sample in the current (incomplete) bucket is not rolled.
    await w.write(T0 + 600_000, [{ series: S, value: 1000 }]);
    expect(await rollUp(db, 300, T0 + 600_000 + 1000)).toBe(2);
    const five = await rollups(300);
    // p95 of 1..20 by linear interpolation: rank 0.95 × 19 = 18.05 → 19.05.
    expect(five).toEqual([
      { bucket: '2026-11-01T00:00:00.000Z', count: 20, min: 1, max: 20, mean: 10.5, p95: 19.05 },
      { bucket: '2026-11-01T00:05:00.000Z', count: 20, min: 7, max: 7, mean: 7, p95: 7 },
    ]);
    // Idempotent and incremental: nothing new to roll until the next bucket completes.
    expect(await rollUp(db, 300, T0 + 600_000 + 2000)).toBe(0);
    expect(await rollUp(db, 300, T0 + 900_000)).toBe(1);
    expect((await rollups(300))[2]).toMatchObject({ count: 1, min: 1000, max: 1000 });

    expect(await rollUp(db, 3600, T0 + H)).toBe(1);
    const hour = await rollups(3600);
    // 41 samples: 1..20, twenty 7s and 1000. Mean = (210 + 140 + 1000) / 41.
    expect(hour).toHaveLength(1);
    expect(hour[0]!.count).toBe(41);
    expect(hour[0]!.min).toBe(1);
    expect(hour[0]!.max).toBe(1000);
    expect(hour[0]!.mean).toBeCloseTo(1350 / 41, 10);
    // Sorted: 1..6, twenty-one 7s (7 appears in 1..20 too), 8..20, 1000; rank 0.95 × 40 = 38 → 19.
    expect(hour[0]!.p95).toBe(19);
  });

  it('enforces retention: raw 24 h, 5-minute 30 days, hourly a year', async () => {
    const w = new SampleWriter(db, 100);
    const now = T0 + 400 * 24 * H;
    await w.write(now - 25 * H, [{ series: S, value: 1 }]);
    await w.write(now - 23 * H, [{ series: S, value: 2 }]);
    const id = (await db.query<{ id: number }>('SELECT id FROM resource_series')).rows[0]!.id;
    const bucket = (ms: number) => new Date(ms).toISOString();
    for (const [res, age] of [
      [300, 31 * 24 * H],
      [300, 29 * 24 * H],
      [3600, 366 * 24 * H],
      [3600, 364 * 24 * H],
    ] as const)
      await db.query(
        `INSERT INTO resource_rollups (series_id, resolution, bucket, count, min, max, mean, p95) VALUES ($1, $2, $3, 1, 0, 0, 0, 0)`,
        [id, res, bucket(now - age)],
      );
    expect(await enforceRetention(db, now)).toEqual({ raw: 1, rollups: 2, series: 0 });
    const left = await db.query<{ n: string }>('SELECT count(*) AS n FROM resource_rollups');
    expect(Number(left.rows[0]!.n)).toBe(2);
    // A series silent for over a year goes, with its rows.
    expect((await enforceRetention(db, now + 366 * 24 * H)).series).toBe(1);
  });

  it('refuses new series past maxSeries and counts the dropped samples', async () => {
    const w = new SampleWriter(db, 2);
    const r = await w.write(T0, [
      { series: 'host:memory_bytes:host', value: 1 },
      { series: 'host:memory_limit_bytes:host', value: 2 },
      { series: 'host:disk_bytes:data', value: 3 },
      { series: 'not a series', value: 4 },
    ]);
    expect(r).toEqual({ written: 2, droppedOverCap: 2 });
    expect((await listSeries(db)).map((s) => s.name)).toEqual([
      'host:memory_bytes:host',
      'host:memory_limit_bytes:host',
    ]);
  });
});

describe('history and forecasts from the store', () => {
  it('answers raw history with exact statistics, roll-up history for long ranges, and checks ranges', async () => {
    const w = new SampleWriter(db, 100);
    for (let i = 0; i < 40; i++) await w.write(T0 + i * 15_000, [{ series: S, value: i }]);
    const now = T0 + 600_000;
    const h = await seriesHistory(db, S, { from: T0, to: now, step: 300 }, now);
    expect(h.source).toBe('rollup-300'); // a 5-minute step reads the roll-up…
    const raw = await seriesHistory(db, S, { from: T0, to: now, step: 60 }, now);
    expect(raw.source).toBe('raw');
    expect(raw.points).toHaveLength(10);
    expect(raw.points[0]).toMatchObject({
      t: '2026-11-01T00:00:00.000Z',
      count: 4,
      min: 0,
      max: 3,
      mean: 1.5,
    });
    expect(raw.points[0]!.p95).toBeCloseTo(2.85, 10);
    await rollUp(db, 300, now);
    const rolled = await seriesHistory(db, S, { from: T0, to: now, step: 600 }, now);
    // …whose 600 s step merges two 5-minute buckets: exact min, max and weighted mean.
    expect(rolled.points).toEqual([
      expect.objectContaining({ t: '2026-11-01T00:00:00.000Z', count: 40, min: 0, max: 39, mean: 19.5 }),
    ]);
    await expect(seriesHistory(db, S, { from: now, to: T0 }, now)).rejects.toMatchObject({
      code: 'SUTAZAI_ERR_RESOURCES_RANGE_INVALID',
    });
    await expect(
      seriesHistory(db, S, { from: T0, to: T0 + 365 * 24 * H, step: 1 }, now),
    ).rejects.toMatchObject({
      code: 'SUTAZAI_ERR_RESOURCES_RANGE_INVALID',
    });
    await expect(seriesHistory(db, 'container:memory_bytes:nosuch', {}, now)).rejects.toMatchObject({
      code: 'SUTAZAI_ERR_RESOURCES_SERIES_NOT_FOUND',
    });
  });

  it('forecasts a recorded leak against the container limit, or host memory when it has none', async () => {
    const w = new SampleWriter(db, 100);
    const MiB = 1024 ** 2;
    // 3 h of a 100 MiB/h leak from 100 MiB, limit 1 GiB; host 8 GiB.
    for (let s = 0; s <= 3 * 3600; s += 60)
      await w.write(T0 + s * 1000, [
        { series: S, value: 100 * MiB + (100 * MiB * s) / 3600 },
        { series: 'container:memory_limit_bytes:redis', value: 1024 * MiB },
        { series: 'container:memory_bytes:free', value: 100 * MiB + (100 * MiB * s) / 3600 },
        { series: 'host:memory_limit_bytes:host', value: 8192 * MiB },
      ]);
    const config = {
      windowMs: 24 * H,
      horizonMs: 6 * H,
      minHistoryMs: 2 * H,
      minPoints: 30,
      maxRelativeError: 0.25,
      maxLevelShift: 0.2,
      intervalZ: 1.96,
    };
    const now = T0 + 3 * H + 1000;
    const f = await seriesForecast(db, S, config, now);
    expect(f.evidence.status).toBe('ok');
    if (f.evidence.status !== 'ok') return;
    expect(f.evidence.exhaustion.ceiling).toEqual({ bytes: 1024 * MiB, source: 'memory-limit' });
    // 400 MiB at 3 h; 624 MiB to go at 100 MiB/h = 6.24 h.
    expect(f.evidence.exhaustion.inSeconds! / 3600).toBeCloseTo(6.24, 2);
    const free = await seriesForecast(db, 'container:memory_bytes:free', config, now);
    expect(free.evidence.status === 'ok' && free.evidence.exhaustion.ceiling).toEqual({
      bytes: 8192 * MiB,
      source: 'host-memory',
    });
  });
});

describe('the sampler component', () => {
  it('stores each pass, and stop() waits for the pass in flight and is idempotent', async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    const collector = {
      async collect() {
        calls++;
        if (calls === 2) await new Promise<void>((r) => (release = r));
        return { at: T0 + calls * 15_000, points: [{ series: S, value: calls }], failed: {} };
      },
    } as unknown as Collector;
    const passes: number[] = [];
    let passStarted: () => void = () => undefined;
    const started = new Promise<void>((r) => (passStarted = r));
    const origCollect = collector.collect.bind(collector);
    collector.collect = async () => {
      if (calls === 1) passStarted();
      return origCollect();
    };
    const sampler = startResourceSampler({
      db,
      collector,
      logger: pino({ level: 'silent' }),
      intervalMs: 1000,
      maxSeries: 10,
      now: () => T0 + 60_000, // retention judges the samples' age against this clock
      onPass: (p) => passes.push(p.written),
    });
    await started; // the timer fired: pass 2 is in flight, blocked in collect()
    const stopping = sampler.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false); // still waiting for the pass in flight
    release();
    await stopping;
    await sampler.stop(); // second call: no error, nothing more runs
    expect(passes).toEqual([1]);
    const rows = await db.query('SELECT value FROM resource_samples');
    expect(rows.rows).toEqual([{ value: 2 }]);
  });
});
