import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, describe } from 'vitest';
import { DoctorConfigSchema } from '../../../src/config/schema.js';
import type { Db } from '../../../src/db/index.js';
import { DbOutboxStore, MemoryDocker, type OutboxStore, type WatchEvent } from '../../../src/ops/index.js';
import {
  startProjectWatch,
  startWebhookReceiver,
  unhealthyApp,
  watchProjectDir,
  type WebhookReceiver,
} from '../../fixtures/doctor/watch-project.js';
import { freshPglite } from '../../helpers/db.js';
import { startTestPlatform } from '../../helpers/platform.js';

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/**
 * A webhook receiver that goes down for a while and comes back: every NEW and RESOLVED reaches
 * each webhook exactly once and in order, and a restart of the watch re-posts nothing. Run against
 * both outbox stores: the data dir's file (the CLI alone) and the platform's database (PGlite,
 * the embedded default; `sutazai up` passes its database).
 */
describe.each(['file', 'database'] as const)('doctor alert outbox (%s store)', (kind) => {
  let db: Db | undefined;
  /** A new store object per watch: a restarted watch must find the state in the store itself. */
  const storeFor = (): OutboxStore | undefined => (db ? new DbOutboxStore(db) : undefined);
  let receiver: WebhookReceiver;
  let url: string;
  let down = true;
  const received: Array<{ path: string; event: string; rule: string }> = [];
  let dir: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver((path, body) => {
      if (down) return 503;
      const b = body as { event?: string; text?: string; finding?: { ruleId: string } };
      received.push({
        path,
        event: b.event ?? (b.text?.includes('RESOLVED') ? 'finding:resolved' : 'finding:new'),
        rule: b.finding?.ruleId ?? b.text?.split(' ')[4] ?? '',
      });
      return 200;
    });
    url = receiver.url;
    dir = await watchProjectDir();
    if (kind === 'database') db = await freshPglite();
  });
  const dirs: string[] = [];
  afterAll(async () => {
    await receiver.close();
    await db?.close();
    for (const d of [dir, ...dirs]) await rm(d, { recursive: true, force: true });
  });

  it('delivers every NEW and RESOLVED exactly once, in order, after the receiver comes back; state survives a restart', async () => {
    const docker = new MemoryDocker();
    const app = unhealthyApp('a'.repeat(64));
    docker.containers.push(app);
    const config = DoctorConfigSchema.parse({
      webhooks: [
        { url: `${url}/slack?token=secret`, format: 'slack', minSeverity: 'high' },
        { url: `${url}/json`, format: 'json', minSeverity: 'high' },
      ],
      watch: { intervalMs: 3_600_000, alertRetryMinMs: 1000, alertRetryMaxMs: 4000 },
    });
    let clock = 1_000_000;
    const events: WatchEvent[] = [];
    const start = () =>
      startProjectWatch(dir, docker, config, {
        onEvent: (e) => events.push(e),
        now: () => clock,
        ...(db ? { outboxStore: storeFor()! } : {}),
      });
    let watch = start();
    await watch.runNow(); // unhealthy: NEW, receiver down
    const failed = events.filter((e) => e.type === 'alert:failed');
    expect(failed[0]).toMatchObject({
      url: `${url}/slack`,
      error: 'HTTP 503',
      alert: 'finding:new',
      attempts: 1,
    });
    expect(JSON.stringify(failed)).not.toContain('secret');
    app.State.Health = { Status: 'healthy' };
    await watch.runNow(); // resolved while down
    app.State.Health = { Status: 'unhealthy' };
    await watch.runNow(); // back within the hour: a new episode, alerted again
    expect(received).toEqual([]);
    await watch.stop();
    // The undelivered alerts are where this context keeps them, and only there.
    const file = path.join(dir, 'doctor', 'alerts.json');
    expect(await exists(file)).toBe(kind === 'file');
    if (db) {
      const row = await db.query<{ data: { queue: unknown[] } }>(
        "SELECT data FROM doctor_alert_outbox WHERE name = 'watch'",
      );
      expect(row.rows[0]!.data.queue).toHaveLength(6);
    }

    // The watch restarts while the receiver is still down; then the receiver comes back.
    watch = start();
    down = false;
    clock += 10_000; // past every backoff
    await watch.deliverNow();
    const sequence = ['finding:new', 'finding:resolved', 'finding:new'];
    for (const p of ['/slack?token=secret', '/json'])
      expect(received.filter((r) => r.path === p).map((r) => `${r.event}:${r.rule}`)).toEqual(
        sequence.map((e) => `${e}:unhealthy`),
      );
    // Still unhealthy after the restart: the open episode is remembered, nothing is re-posted.
    await watch.runNow();
    clock += 10_000;
    await watch.deliverNow();
    expect(received).toHaveLength(6);
    app.State.Health = { Status: 'healthy' };
    await watch.runNow();
    expect(received.slice(6).map((r) => r.event)).toEqual(['finding:resolved', 'finding:resolved']);
    await watch.stop();
  });

  it('health `starting` after a restart does not resolve an unhealthy finding', async () => {
    const docker = new MemoryDocker();
    const app = unhealthyApp('b'.repeat(64));
    docker.containers.push(app);
    const config = DoctorConfigSchema.parse({ watch: { intervalMs: 3_600_000 } });
    const events: WatchEvent[] = [];
    const own = await watchProjectDir();
    dirs.push(own);
    const watch = startProjectWatch(own, docker, config, {
      onEvent: (e) => events.push(e),
      ...(db ? { outboxStore: storeFor()! } : {}),
    });
    await watch.runNow();
    app.State.Health = { Status: 'starting' };
    await watch.runNow();
    expect(events.filter((e) => e.type === 'finding:resolved')).toEqual([]);
    app.State.Health = { Status: 'healthy' };
    await watch.runNow();
    expect(events.filter((e) => e.type === 'finding:resolved')).toHaveLength(1);
    await watch.stop();
  });
});

describe('the outbox store is picked by context', () => {
  it('inside the platform (`up` with doctor.enabled) the watch keeps its outbox in the database, not the data dir', async () => {
    const platform = await startTestPlatform({}, {}, (config) => {
      config.doctor.enabled = true;
      config.doctor.watch.intervalMs = 3_600_000;
      config.doctor.watch.restartUnhealthy = false; // never touch containers on a shared engine
    });
    try {
      // The first pass saves the outbox (episodes, even when empty) as soon as it has audited.
      let rows = 0;
      for (let i = 0; i < 400 && rows === 0; i++) {
        rows = (await platform.db.query("SELECT 1 FROM doctor_alert_outbox WHERE name = 'watch'")).rowCount;
        if (rows === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(rows).toBe(1);
      expect(await exists(path.join(platform.config.dataDir, 'doctor', 'alerts.json'))).toBe(false);
    } finally {
      await platform.close();
    }
  });
});
