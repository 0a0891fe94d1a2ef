import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigSchema, type Config } from '../../../src/config/schema.js';
import { migrate, openDb, type Db, type Queryable } from '../../../src/db/index.js';
import { registry } from '../../../src/metrics/index.js';
import { fakeContainer, MemoryDocker } from '../../../src/ops/index.js';
import type { ContainerUpdate } from '../../../src/ops/sources/docker-types.js';
import {
  AUTO_OUTBOX,
  createOptimizerAuto,
  optimizerPlanDeps,
  runAutoTick,
  setAutoSwitch,
  startOptimizerAuto,
  type ApplyDeps,
} from '../../../src/optimizer/index.js';
import { LEASE_MS } from '../../../src/optimizer/auto/rows.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../fixtures/doctor/watch-project.js';
import { freshPglite } from '../../helpers/db.js';
import { writeFlatHistory } from '../../helpers/resource-history.js';
import { tempRoot } from '../../helpers/system-tree.js';

/*
 * Auto mode's ticks on a fake clock, through the real apply path (backup → live update →
 * verification → rollback) on the in-memory engine: `idle` uses 100 MiB of 1 GiB (steps down
 * 25 %), `hot` 900 MiB of 1000 MiB (steps up 25 %, but stops running when raised, so
 * verification fails and the step is rolled back). Two days of history end at NOW.
 */
const MiB = 1024 ** 2;
const H = 3_600_000;
const NOW = Date.parse('2026-11-20T12:00:00Z');

/** An engine on which `hot` stops when its limit is raised and runs again when it is restored. */
class HotFailsDocker extends MemoryDocker {
  /** Runs inside each live update: what happens elsewhere while a step is being applied. */
  duringUpdate?: (name: string) => Promise<void>;
  override async updateContainer(id: string, update: ContainerUpdate): Promise<void> {
    await this.duringUpdate?.(this.containers.find((x) => x.Id === id)!.Name);
    await super.updateContainer(id, update);
    const c = this.containers.find((x) => x.Id === id)!;
    if (c.Name === '/hot') c.State.Running = c.HostConfig.Memory === 1000 * MiB;
  }
}

let dir: string;
let dataDir: string;
let db: Db;
let docker: HotFailsDocker;
let receiver: WebhookReceiver;
let posts: unknown[];
let clockAt: number;

/** The store on disk, for the test that restarts (in memory elsewhere: initdb is slow). */
async function openStore(): Promise<Db> {
  const d = await openDb({ dataDir });
  await migrate(d);
  return d;
}

async function writeHistory(store: Db): Promise<void> {
  await writeFlatHistory(
    store,
    {
      'container:memory_bytes:idle': 100 * MiB,
      'container:memory_bytes:hot': 900 * MiB,
      'mcp:memory_bytes:fs': 100 * MiB,
    },
    { until: NOW, spanMs: 48 * H, everyMs: H },
  );
}

function configWith(webhookUrl: string, auto: Partial<Config['optimizer']['auto']> = {}): Config {
  const c = ConfigSchema.parse({
    dataDir: dir,
    mcp: { configPath: path.join(dir, '.mcp.json') },
    doctor: { webhooks: [{ url: webhookUrl }], verify: { windowMs: 300, pollMs: 50 } },
    optimizer: { auto: { enabled: true, ...auto } },
  });
  return c;
}

function auto(config: Config, store = db) {
  return createOptimizerAuto({
    db: store,
    config,
    logger: pino({ level: 'silent' }),
    planDeps: (): ApplyDeps => optimizerPlanDeps(config, { db: store, docker, cwd: dir }),
    clock: () => clockAt,
  });
}

const memoryOf = async (name: string) => (await docker.inspectContainer(name)).HostConfig.Memory;

beforeEach(async () => {
  dir = tempRoot('sutazai-auto-');
  dataDir = tempRoot('sutazai-auto-db-');
  db = await freshPglite();
  docker = new HotFailsDocker();
  docker.containers.push(
    fakeContainer({ id: 'a'.repeat(64), name: 'idle', memory: 1024 * MiB }),
    fakeContainer({ id: 'b'.repeat(64), name: 'hot', memory: 1000 * MiB }),
  );
  await writeFile(
    path.join(dir, '.mcp.json'),
    JSON.stringify({ mcpServers: { fs: { command: 'node', memoryBudgetMb: 1024 } } }),
  );
  await writeHistory(db);
  posts = [];
  receiver = await startWebhookReceiver((_p, body) => (posts.push(body), 200));
  clockAt = NOW;
});
afterEach(async () => {
  await receiver.close();
  await db.close();
});

describe('optimizer auto mode', () => {
  it('is off by default: nothing starts, so nothing is stepped', async () => {
    const config = ConfigSchema.parse({ dataDir: dir });
    expect(config.optimizer.auto).toEqual({ enabled: false, intervalMs: 3_600_000, kinds: ['container'] });
    const started = startOptimizerAuto({
      db,
      config,
      logger: pino({ level: 'silent' }),
      planDeps: () => optimizerPlanDeps(config, { db, docker, cwd: dir }),
    });
    expect(started).toBeUndefined();
    expect(docker.calls).toEqual([]);
    expect((await db.query('SELECT * FROM optimizer_steps')).rows).toEqual([]);
  });

  it('scopes one child logger for the loop and its ticks', async () => {
    const config = configWith(receiver.url);
    const logger = pino({ level: 'silent' });
    const child = vi.spyOn(logger, 'child');
    const started = startOptimizerAuto({
      db,
      config,
      logger,
      planDeps: () => optimizerPlanDeps(config, { db, docker, cwd: dir }),
    });
    await started!.stop();
    expect(child.mock.calls).toEqual([[{ component: 'optimizer-auto' }]]);
  });

  it(
    'steps each target once, reports kept and rolled-back steps, and does not retry the same day, even after a restart',
    { timeout: 60_000 },
    async () => {
      const config = configWith(receiver.url);
      await db.close();
      db = await openStore();
      await writeHistory(db);
      const first = await auto(config).tick();
      expect(first).toMatchObject({
        ran: true,
        steps: [
          { target: 'container:hot', from: 1000 * MiB, to: 1250 * MiB, outcome: 'rolled-back' },
          { target: 'container:idle', from: 1024 * MiB, to: 768 * MiB, outcome: 'kept' },
        ],
      });
      expect(await memoryOf('idle')).toBe(768 * MiB);
      expect(await memoryOf('hot')).toBe(1000 * MiB); // restored from the backup
      // Only container memory: the MCP server's budget is not in the allowed kinds.
      expect(
        JSON.parse(await readFile(path.join(dir, '.mcp.json'), 'utf8')).mcpServers.fs.memoryBudgetMb,
      ).toBe(1024);
      expect(posts).toEqual([
        expect.objectContaining({
          event: 'optimizer:step',
          target: 'container:hot',
          from: 1000 * MiB,
          to: 1250 * MiB,
          outcome: 'rolled-back',
          evidence: expect.objectContaining({
            summary: expect.stringMatching(/^49 samples over 48 h, peak 900 MiB$/),
          }),
        }),
        expect.objectContaining({ event: 'optimizer:step', target: 'container:idle', outcome: 'kept' }),
      ]);
      const rows = await db.query<{ target: string; to_value: string }>(
        "SELECT target, to_value FROM optimizer_steps WHERE target LIKE 'container:%' ORDER BY target",
      );
      // The rolled-back step counts as the day's step and names the value in force.
      expect(rows.rows).toEqual([
        { target: 'container:hot', to_value: String(1000 * MiB) },
        { target: 'container:idle', to_value: String(768 * MiB) },
      ]);
      const metrics = await registry.getSingleMetricAsString('sutazai_optimizer_auto_steps_total');
      expect(metrics).toMatch(/outcome="kept"\} [1-9]/);
      expect(metrics).toMatch(/outcome="rolled-back"\} [1-9]/);

      const updates = docker.calls.filter((c) => c.op === 'update').length;
      clockAt = NOW + 2 * H;
      expect(await auto(config).tick()).toEqual({ ran: true, steps: [] });
      await db.close();
      db = await openStore(); // a restart: only the database remembers
      clockAt = NOW + 23 * H;
      expect(await auto(config, db).tick()).toEqual({ ran: true, steps: [] });
      expect(docker.calls.filter((c) => c.op === 'update').length).toBe(updates);
      expect(posts).toHaveLength(2);

      // A day later both are due again: idle from its new limit, hot once more.
      clockAt = NOW + 25 * H;
      const nextDay = await auto(config, db).tick();
      expect(nextDay).toMatchObject({
        ran: true,
        steps: [
          { target: 'container:hot', outcome: 'rolled-back' },
          { target: 'container:idle', from: 768 * MiB, to: 576 * MiB, outcome: 'kept' },
        ],
      });
    },
  );

  it('does nothing while switched off, and resumes when switched on', { timeout: 60_000 }, async () => {
    const config = configWith(receiver.url);
    await setAutoSwitch(db, false, NOW);
    expect(await auto(config).tick()).toEqual({ ran: false, reason: 'paused' });
    expect(docker.calls).toEqual([]);
    await setAutoSwitch(db, true, NOW);
    expect(await auto(config).tick()).toMatchObject({ ran: true, steps: [{}, {}] });
  });

  it('lets one process tick at a time: another holder waits until the lease lapses', async () => {
    const config = configWith(receiver.url);
    const other = {
      apply: optimizerPlanDeps(config, { db, docker, cwd: dir }),
      kinds: ['container'] as const,
      holder: 'other-host:1',
    };
    const { takeLease } = await import('../../../src/optimizer/auto/rows.js');
    expect(await takeLease(db, 'holder-a', NOW)).toBe(true);
    expect(await runAutoTick({ ...other, clock: () => NOW + 1000 })).toEqual({ ran: false, reason: 'busy' });
    expect(docker.calls).toEqual([]);
    const lapsed = await runAutoTick({ ...other, clock: () => NOW + LEASE_MS });
    expect(lapsed.ran).toBe(true);
  });

  it('stops between steps when switched off mid-tick', async () => {
    const config = configWith(receiver.url);
    docker.duringUpdate = () => setAutoSwitch(db, false, clockAt);
    const result = await auto(config).tick();
    expect(result).toMatchObject({ ran: true, steps: [{ target: 'container:hot' }] });
    expect(await memoryOf('idle')).toBe(1024 * MiB);
  });

  it('renews its lease before each step, so a long tick is never joined by a second', async () => {
    const config = configWith(receiver.url);
    const { takeLease } = await import('../../../src/optimizer/auto/rows.js');
    const rivalTook: boolean[] = [];
    docker.duringUpdate = async (name) => {
      if (name === '/hot') clockAt = NOW + LEASE_MS - 1000; // the first step ran almost a lease long
      // During the second step the first lease would have lapsed; the renewed one holds.
      if (name === '/idle') rivalTook.push(await takeLease(db, 'rival:1', NOW + LEASE_MS + 1000));
    };
    const result = await auto(config).tick();
    expect(result).toMatchObject({
      ran: true,
      steps: [{ target: 'container:hot' }, { target: 'container:idle' }],
    });
    expect(rivalTook).toEqual([false]);
  });

  it('reads the switch and claims the lease once before each step, the first included', async () => {
    const config = configWith(receiver.url);
    const seen: string[] = [];
    const watched: Queryable = {
      query: <T>(sql: string, params?: readonly unknown[]) => {
        const target = params?.[0];
        if (target === 'auto:switch') seen.push('switch');
        else if (target === 'auto:lease') seen.push(sql.startsWith('INSERT') ? 'lease' : 'release');
        // The conditional upsert that claims a target (a kept step is also logged, unconditionally).
        else if (sql.includes('RETURNING target')) seen.push(`claim ${String(target)}`);
        return db.query<T>(sql, params);
      },
    };
    const tick = () =>
      runAutoTick({
        apply: optimizerPlanDeps(config, { db: watched, docker, cwd: dir }),
        kinds: ['container'],
        holder: 'holder-a',
        clock: () => clockAt,
      });
    expect(await tick()).toMatchObject({ ran: true, steps: [{}, {}] });
    expect(seen).toEqual([
      'switch',
      'lease',
      'claim container:hot',
      'switch',
      'lease',
      'claim container:idle',
      'release',
    ]);
    // Nothing left to do today: the tick still checks once, so it still reports a pause.
    seen.length = 0;
    expect(await tick()).toEqual({ ran: true, steps: [] });
    expect(seen).toEqual(['switch', 'lease', 'release']);
    await setAutoSwitch(db, false, clockAt);
    expect(await tick()).toEqual({ ran: false, reason: 'paused' });
  });

  it('claims a target once: of two processes claiming it together, one wins', async () => {
    const { claimStep } = await import('../../../src/optimizer/auto/rows.js');
    const claim = { target: 'container:idle', changeId: 'container:idle:memory', from: '1', to: '2' };
    const results = await Promise.all([claimStep(db, claim, NOW), claimStep(db, claim, NOW)]);
    expect(results.sort()).toEqual([false, true]);
    expect(await claimStep(db, claim, NOW + 23 * H)).toBe(false);
    expect(await claimStep(db, claim, NOW + 24 * H)).toBe(true);
  });

  it('keeps its reports in its own outbox row, delivered ones gone', async () => {
    const config = configWith(receiver.url);
    await auto(config).tick();
    const row = await db.query<{ data: { queue: unknown[] } }>(
      'SELECT data FROM doctor_alert_outbox WHERE name = $1',
      [AUTO_OUTBOX],
    );
    expect(row.rows[0]!.data.queue).toEqual([]);
  });
});
