import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { BackupService, startBackupSchedule } from '../../../src/backup/index.js';
import { freshPglite } from '../../helpers/db.js';

const root = mkdtempSync(path.join(tmpdir(), 'sutazai-backup-schedule-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('scheduled backups run every interval, keep the newest `retain`, and stop() waits for one in flight', async () => {
  const db = await freshPglite();
  const events: Array<{ msg: string; id?: string }> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      events.push(JSON.parse(String(chunk)) as { msg: string });
      done();
    },
  });
  const backupsDir = path.join(root, 'backups');
  const service = new BackupService({
    db,
    backupsDir,
    config: { mcpConfig: path.join(root, 'none'), agentsDir: path.join(root, 'none') },
  });
  const schedule = startBackupSchedule({
    service,
    intervalMs: 100,
    retain: 2,
    logger: pino({ level: 'info' }, sink),
  });
  try {
    const until = Date.now() + 120_000;
    while (events.filter((e) => e.msg === 'backup:scheduled:done').length < 3) {
      if (Date.now() > until) throw new Error(`only ${JSON.stringify(events)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await schedule.stop();
  }
  const done = events.filter((e) => e.msg === 'backup:scheduled:done');
  const kept = readdirSync(backupsDir).filter((n) => !n.startsWith('.'));
  expect(kept, JSON.stringify(events.map((e) => [e.msg, e.id]))).toHaveLength(2);
  expect(kept.sort().at(-1)).toBe(done.at(-1)!.id);
  expect(events.some((e) => e.msg === 'backup:scheduled:failed')).toBe(false);
  await db.close(); // stop() waited: nothing is dumping any more
}, 180_000);
