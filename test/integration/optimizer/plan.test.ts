import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src/config/schema.js';
import { migrate, openDb, type Db } from '../../../src/db/index.js';
import { MEMORY_FLOORS as DOCTOR_FLOORS } from '../../../src/ops/limits/floors.js';
import {
  applyChanges,
  buildPlan,
  MEMORY_FLOORS,
  OptimizerPlanSchema,
  publicPlan,
  readSeriesEvidence,
  rollbackChanges,
  type PlanDeps,
} from '../../../src/optimizer/index.js';
import { freshPglite } from '../../helpers/db.js';
import { tempRoot } from '../../helpers/system-tree.js';

/*
 * Evidence and plans from synthetic history written straight into the store: raw samples for the
 * last day (every 5 minutes) and 5-minute roll-ups before that, as the sampler and roll-up leave
 * them. Every expected number follows from the formulas in docs/optimizer.md.
 */
const MiB = 1024 ** 2;
const GiB = 1024 * MiB;
const H = 3_600_000;
const DAY = 24 * H;
const NOW = Date.parse('2026-11-20T12:00:00Z');
const config = ConfigSchema.parse({});

let db: Db;
let dir: string;
beforeAll(async () => {
  db = await freshPglite();
});
afterAll(async () => db?.close());
beforeEach(async () => {
  await db.query('DELETE FROM resource_series');
  await db.query('DELETE FROM optimizer_steps');
  dir = tempRoot('sutazai-plan-');
});

async function series(name: string): Promise<number> {
  const [kind, metric, ...rest] = name.split(':');
  const r = await db.query<{ id: number }>(
    `INSERT INTO resource_series (name, kind, metric, subject) VALUES ($1, $2, $3, $4) RETURNING id`,
    [name, kind, metric, rest.join(':')],
  );
  return r.rows[0]!.id;
}

/** Raw samples every 5 min over [now − spanMs, now] with value f(hoursAgo); last_value set. */
async function raw(name: string, spanMs: number, f: (hoursAgo: number) => number, db2: Db = db) {
  const id =
    (await db2.query<{ id: number }>('SELECT id FROM resource_series WHERE name = $1', [name])).rows[0]?.id ??
    (await series(name));
  const at: string[] = [];
  const values: number[] = [];
  for (let t = NOW - spanMs; t <= NOW; t += 300_000) {
    at.push(new Date(t).toISOString());
    values.push(f((NOW - t) / H));
  }
  const last = values.at(-1)!;
  await db2.query(
    `INSERT INTO resource_samples (series_id, at, value)
     SELECT $1, a, v FROM unnest($2::timestamptz[], $3::float8[]) AS u(a, v)`,
    [id, at, values],
  );
  await db2.query('UPDATE resource_series SET last_value = $2, last_at = $3 WHERE id = $1', [
    id,
    last,
    new Date(NOW).toISOString(),
  ]);
}

/** 5-minute roll-ups (count 20) over [fromAgoMs, toAgoMs) before now, with max/p95 = g(hoursAgo). */
async function rolled(name: string, fromAgoMs: number, toAgoMs: number, g: (hoursAgo: number) => number) {
  const id = (await db.query<{ id: number }>('SELECT id FROM resource_series WHERE name = $1', [name]))
    .rows[0]!.id;
  await db.query(
    `INSERT INTO resource_rollups (series_id, resolution, bucket, count, min, max, mean, p95)
     SELECT $1, 300, b, 20, 0, v, v / 2, v
       FROM (SELECT b, $4::float8 AS v FROM generate_series($2::timestamptz, $3::timestamptz, interval '5 minutes') b) x`,
    [id, new Date(NOW - fromAgoMs).toISOString(), new Date(NOW - toAgoMs - 300_000).toISOString(), g(0)],
  );
}

function deps(extra: Partial<PlanDeps> = {}): PlanDeps {
  return {
    db,
    config: config.optimizer.recommend,
    composeFiles: [],
    mcp: { configPath: path.join(dir, '.mcp.json'), defaults: config.mcp },
    now: NOW,
    ...extra,
  };
}

describe('the floors', () => {
  it('are one table: the optimizer imports the doctor’s', () => {
    expect(MEMORY_FLOORS).toBe(DOCTOR_FLOORS);
  });
});

describe('evidence from the stored history', () => {
  it('reads the peak from an old roll-up, raw samples for the last day, and the exact p95 of raw samples', async () => {
    const S = 'container:memory_bytes:redis';
    await raw(S, DAY - 300_000, () => 100 * MiB);
    await series('container:cpu_cores:x');
    // Six days of roll-ups before the raw day, one bucket of them at 300 MiB (a nightly peak).
    await rolled(S, 7 * DAY - 600_000, DAY, () => 120 * MiB);
    await db.query(`UPDATE resource_rollups SET max = $1 WHERE bucket = $2::timestamptz`, [
      300 * MiB,
      new Date(NOW - 3 * DAY).toISOString(),
    ]);
    const e = (await readSeriesEvidence(db, S, 7 * DAY, NOW))!;
    expect(e.peak).toBe(300 * MiB);
    const rawCount = 288;
    const bucketCount = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM resource_rollups'))
      .rows[0]!.n;
    expect(e.samples).toBe(rawCount + 20 * bucketCount);
    expect(e.historyMs).toBeGreaterThan(6.9 * DAY);
    // 288 raw samples at 100 MiB weigh 288; the buckets' p95 (120 MiB) weigh 20 each: p95 is 120 MiB.
    expect(e.p95).toBe(120 * MiB);
    expect(e.fit!.slopePerHour).toBe(0);
  });

  it('is undefined for a series without samples in the window', async () => {
    await series('container:memory_bytes:empty');
    expect(await readSeriesEvidence(db, 'container:memory_bytes:empty', 7 * DAY, NOW)).toBeUndefined();
    expect(await readSeriesEvidence(db, 'container:memory_bytes:nope', 7 * DAY, NOW)).toBeUndefined();
  });
});

describe('the plan', () => {
  it('right-sizes a container from peak × 1.15, with its evidence, and lists one with too little history', async () => {
    await raw('container:memory_bytes:api', 2 * DAY, (h) => (h === 30 ? 400 * MiB : 200 * MiB));
    await raw('container:memory_limit_bytes:api', 0, () => 2 * GiB);
    await raw('container:memory_bytes:fresh', 2 * H, () => 50 * MiB);
    const plan = await buildPlan(deps(), 'rightsize');
    expect(() => OptimizerPlanSchema.parse(publicPlan(plan))).not.toThrow();
    // Only the raw day is kept as raw here; the older sample (30 h ago) is raw too in this fixture.
    expect(plan.changes).toHaveLength(1);
    const c = plan.changes[0]!;
    expect(c).toMatchObject({
      id: 'container:api:memory',
      target: { kind: 'container', name: 'api' },
      resource: 'memory',
      current: 2 * GiB,
      proposed: 460 * MiB,
      unit: 'bytes',
    });
    expect(c.evidence).toMatchObject({ windowMs: 7 * DAY, samples: 577, peak: 400 * MiB, p95: 200 * MiB });
    expect(c.evidence.series).toEqual(['container:memory_bytes:api']);
    expect(c.reason).toMatch(/2048 MiB → 460 MiB: peak 400 MiB over 48 h plus 15 % margin/);
    expect(plan.insufficient).toEqual([
      {
        target: { kind: 'container', name: 'fresh' },
        reason: expect.stringMatching(/only 25 sample\(s\) over 2 h; needs 24 over 24 h/),
      },
    ]);
  });

  it('never proposes less than the kind’s floor, and nothing when the limit already fits', async () => {
    await raw('container:memory_bytes:redis', 2 * DAY, () => 8 * MiB);
    await raw('container:memory_bytes:worker-1', 2 * DAY, () => 300 * MiB);
    await raw('container:memory_limit_bytes:worker-1', 0, () => 350 * MiB);
    const plan = await buildPlan(deps(), 'rightsize');
    expect(plan.changes.map((c) => [c.id, c.proposed])).toEqual([
      ['container:redis:memory', MEMORY_FLOORS.cache],
    ]);
    expect(plan.changes[0]!.reason).toMatch(/under the cache floor/);
  });

  it('sizes an MCP server’s memory budget from .mcp.json and its process tree’s history', async () => {
    await writeFile(
      path.join(dir, '.mcp.json'),
      JSON.stringify(
        { mcpServers: { fs: { command: 'node', args: ['x.js'], memoryBudgetMb: 512 } } },
        null,
        2,
      ),
    );
    await raw('mcp:memory_bytes:fs', 2 * DAY, () => 100 * MiB);
    const plan = await buildPlan(deps(), 'rightsize');
    expect(plan.changes).toEqual([
      expect.objectContaining({
        id: 'mcp:fs:memory',
        target: { kind: 'mcp', name: 'fs', composeFile: path.join(dir, '.mcp.json') },
        current: 512 * MiB,
        proposed: 115 * MiB,
      }),
    ]);
  });

  it('derives OLLAMA_MAX_LOADED_MODELS and OLLAMA_NUM_PARALLEL from model sizes and host memory', async () => {
    await raw('host:memory_limit_bytes:host', 0, () => 16 * GiB);
    await raw('model:memory_bytes:llama3:8b', 2 * DAY, () => 5 * GiB);
    await raw('model:memory_bytes:tinyllama', 2 * DAY, () => 1 * GiB);
    const plan = await buildPlan(deps(), 'rightsize');
    // Budget 16 GiB × 0.75 = 12 GiB: two of the largest (5 GiB) fit, both models seen → 2 loaded;
    // 2 GiB left at 1.25 GiB a slot → 1 extra slot → NUM_PARALLEL 2.
    expect(plan.changes.map((c) => [c.id, c.current, c.proposed])).toEqual([
      ['ollama:ollama:OLLAMA_MAX_LOADED_MODELS', null, '2'],
      ['ollama:ollama:OLLAMA_NUM_PARALLEL', null, '2'],
    ]);
    expect(plan.changes[0]!.evidence).toMatchObject({ peak: 5 * GiB, samples: 2 * 577 });
    expect(plan.changes[0]!.evidence.series).toContain('host:memory_limit_bytes:host');
  });

  it('steps by 25 % in step mode: down when the peak stayed under 30 %, up when over 85 %', async () => {
    await raw('container:memory_bytes:idle', 2 * DAY, () => 200 * MiB);
    await raw('container:memory_limit_bytes:idle', 0, () => 1024 * MiB);
    await raw('container:memory_bytes:hot', 2 * DAY, () => 900 * MiB);
    await raw('container:memory_limit_bytes:hot', 0, () => 1000 * MiB);
    const plan = await buildPlan(deps(), 'step');
    expect(plan.changes.map((c) => [c.id, c.proposed])).toEqual([
      ['container:hot:memory', 1250 * MiB],
      ['container:idle:memory', 768 * MiB],
    ]);
  });
});

describe('apply and rollback without an engine (an MCP budget in .mcp.json)', () => {
  it('writes the budget, journals it in a backup, records the step; rollback restores the file', async () => {
    const file = path.join(dir, '.mcp.json');
    const before = `${JSON.stringify({ mcpServers: { fs: { command: 'node', memoryBudgetMb: 512 } } }, null, 2)}\n`;
    await writeFile(file, before);
    await raw('mcp:memory_bytes:fs', 2 * DAY, () => 100 * MiB);
    const applyDeps = { ...deps(), dataDir: dir, verify: { windowMs: 1000, pollMs: 100 } };
    const out = await applyChanges(applyDeps, { ids: ['mcp:fs:memory'] });
    expect(out).toMatchObject({ applied: ['mcp:fs:memory'], rolledBack: false, verification: { ok: true } });
    expect(JSON.parse(await readFile(file, 'utf8')).mcpServers.fs.memoryBudgetMb).toBe(115);
    const journal = await readFile(
      path.join(dir, 'doctor', 'backups', out.backupId!, 'journal.ndjson'),
      'utf8',
    );
    expect(journal).toMatch(/"step":"fix:action:applied".*"kind":"mcp-budget"/);
    const steps = await db.query<{ target: string; to_value: string }>(
      'SELECT target, to_value FROM optimizer_steps',
    );
    expect(steps.rows).toEqual([{ target: 'mcp:fs', to_value: String(115 * MiB) }]);

    const rb = await rollbackChanges(applyDeps, out.backupId!);
    expect(rb).toEqual({ restored: [file], failed: [] });
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('refuses an id that is not in the current plan, naming it and its field path', async () => {
    const applyDeps = { ...deps(), dataDir: dir, verify: { windowMs: 1000, pollMs: 100 } };
    await expect(applyChanges(applyDeps, { ids: ['container:ghost:memory'] })).rejects.toMatchObject({
      code: 'SUTAZAI_ERR_OPTIMIZER_CHANGE_UNKNOWN',
      details: [{ path: 'body.ids.0', message: expect.any(String) }],
    });
  });
});

describe('the once-a-day limit of the stepwise policy', () => {
  it('holds across a restart: the step is read back from the database', { timeout: 120_000 }, async () => {
    const dataDir = tempRoot('sutazai-steps-');
    const file = path.join(dir, '.mcp.json');
    await writeFile(file, JSON.stringify({ mcpServers: { fs: { command: 'node', memoryBudgetMb: 1024 } } }));
    let disk = await openDb({ dataDir });
    await migrate(disk);
    const mcpSeries = async (d: Db) => {
      await d.query(
        `INSERT INTO resource_series (name, kind, metric, subject) VALUES ('mcp:memory_bytes:fs', 'mcp', 'memory_bytes', 'fs')`,
      );
      await raw('mcp:memory_bytes:fs', 2 * DAY, () => 100 * MiB, d);
    };
    await mcpSeries(disk);
    const on = (d: Db, now: number) => ({
      ...deps({ db: d, now }),
      dataDir: dir,
      verify: { windowMs: 1000, pollMs: 100 },
    });
    const first = await buildPlan(on(disk, NOW), 'step');
    expect(first.changes.map((c) => [c.id, c.proposed])).toEqual([['mcp:fs:memory', 768 * MiB]]);
    const out = await applyChanges(on(disk, NOW), { ids: ['mcp:fs:memory'], mode: 'step' });
    expect(out.applied).toEqual(['mcp:fs:memory']);
    await disk.close();

    disk = await openDb({ dataDir });
    try {
      const later = NOW + 23 * H;
      const again = await buildPlan(on(disk, later), 'step');
      expect(again.changes).toEqual([]);
      expect(again.insufficient).toEqual([
        { target: { kind: 'mcp', name: 'fs' }, reason: expect.stringMatching(/at most one step per day/) },
      ]);
      // A day later the next step is due again (the budget is now 768 MiB, the peak still 100 MiB).
      const nextDay = await buildPlan(on(disk, NOW + 25 * H), 'step');
      expect(nextDay.insufficient).toEqual([]);
      expect(nextDay.changes.map((c) => [c.id, c.current, c.proposed])).toEqual([
        ['mcp:fs:memory', 768 * MiB, 576 * MiB],
      ]);
    } finally {
      await disk.close();
    }
  });
});
