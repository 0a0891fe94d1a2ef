import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBackup,
  readManifest,
  restoreEmbedded,
  verifyBackup,
  type Manifest,
} from '../../../src/backup/index.js';
import { sha256File } from '../../../src/backup/digest.js';
import { migrate, openDb, type Db } from '../../../src/db/index.js';
import { populateEveryTable, snapshotRows } from '../../helpers/backup-fixture.js';

const root = mkdtempSync(path.join(tmpdir(), 'sutazai-backup-'));
const dataDir = path.join(root, 'data');
const backupsDir = path.join(dataDir, 'backups');
const sources = {
  configFile: path.join(root, 'sutazai.yaml'),
  mcpConfig: path.join(root, '.mcp.json'),
  agentsDir: path.join(root, 'agents'),
};
let before: Record<string, string[]>;
let manifest: Manifest;

const open = () => openDb({ dataDir, command: 'backup test' });

beforeAll(async () => {
  writeFileSync(sources.configFile, 'logLevel: warn\n');
  writeFileSync(sources.mcpConfig, '{"mcpServers":{}}\n');
  mkdirSync(sources.agentsDir);
  writeFileSync(path.join(sources.agentsDir, 'coder.md'), '---\nname: coder\n---\nWrites code.\n');
  const db = await open();
  try {
    await migrate(db);
    await populateEveryTable(db);
    before = await snapshotRows(db);
    manifest = await createBackup({ db, backupsDir, config: sources });
  } finally {
    await db.close();
  }
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('backups of the embedded database', () => {
  it('hold every table, the config files and checksums, private to the owner', () => {
    for (const [table, rows] of Object.entries(before)) {
      if (table === '(sequences)') continue;
      expect(rows.length, table).toBeGreaterThan(0);
      expect(manifest.tables.find((t) => t.name === table)?.rows, table).toBe(rows.length);
    }
    expect(manifest.engine).toBe('pglite');
    expect(manifest.files.map((f) => f.kind).sort()).toEqual(['agents', 'config', 'mcp']);
    const dir = path.join(backupsDir, manifest.id);
    expect(statSync(backupsDir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'manifest.json')).mode & 0o777).toBe(0o600);
    for (const t of manifest.tables)
      expect(statSync(path.join(dir, t.file)).mode & 0o777, t.file).toBe(0o600);
    expect(readManifest(backupsDir, manifest.id)).toEqual(manifest);
  });

  it('restore after a wipe gives back identical rows and sequences, keeping the replaced data', async () => {
    rmSync(path.join(dataDir, 'pgdata'), { recursive: true, force: true });
    const wiped = await open();
    await migrate(wiped);
    await wiped.query(`INSERT INTO settings (key, value) VALUES ('after-wipe', '1')`);
    await wiped.close();

    const report = await restoreEmbedded({ backupsDir, id: manifest.id, dataDir });
    expect(report.previous).toMatch(/pgdata\.previous-/);
    const db: Db = await open();
    try {
      expect(await snapshotRows(db)).toEqual(before);
    } finally {
      await db.close();
    }
    expect(statSync(report.previous!).isDirectory()).toBe(true);
  }, 120_000);

  it('verify restores into a scratch database and compares every table', async () => {
    const report = await verifyBackup(backupsDir, manifest.id);
    expect(report.ok).toBe(true);
    expect(report.tables.length).toBe(manifest.tables.length);
  }, 120_000);

  it('verify refuses a backup whose file was changed', async () => {
    const copy = cloneBackup('20990101T000000000Z-aaaaaa');
    const tasks = copy.manifest.tables.find((t) => t.name === 'tasks')!;
    const file = path.join(copy.dir, tasks.file);
    writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from('x')]));
    await expect(verifyBackup(backupsDir, copy.manifest.id)).rejects.toMatchObject({
      code: 'SUTAZAI_ERR_BACKUP_CORRUPT',
      message: expect.stringContaining('does not match its checksum'),
    });
  });

  it('verify refuses a backup whose rows were changed and whose file checksum was forged to match', async () => {
    const copy = cloneBackup('20990101T000000000Z-bbbbbb');
    const tasks = copy.manifest.tables.find((t) => t.name === 'tasks')!;
    const file = path.join(copy.dir, tasks.file);
    const text = gunzipSync(readFileSync(file)).toString().replace('"priority": 1', '"priority": 9');
    writeFileSync(file, gzipSync(text));
    tasks.sha256 = await sha256File(file);
    writeFileSync(path.join(copy.dir, 'manifest.json'), JSON.stringify(copy.manifest));
    await expect(verifyBackup(backupsDir, copy.manifest.id)).rejects.toMatchObject({
      code: 'SUTAZAI_ERR_BACKUP_CORRUPT',
      message: expect.stringContaining('table tasks'),
    });
  }, 120_000);

  it('restore refuses a tampered backup and leaves the live database alone', async () => {
    const copy = cloneBackup('20990101T000000000Z-cccccc');
    writeFileSync(path.join(copy.dir, copy.manifest.files[0]!.file), 'tampered');
    await expect(restoreEmbedded({ backupsDir, id: copy.manifest.id, dataDir })).rejects.toMatchObject({
      code: 'SUTAZAI_ERR_BACKUP_CORRUPT',
    });
    const db = await open();
    try {
      expect(await snapshotRows(db)).toEqual(before);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('restore --config-files writes the files back and keeps the current ones aside', async () => {
    writeFileSync(sources.configFile, 'logLevel: debug\n');
    const report = await restoreEmbedded({ backupsDir, id: manifest.id, dataDir, configFiles: true });
    expect(report.configFiles).toContain(sources.configFile);
    expect(readFileSync(sources.configFile, 'utf8')).toBe('logLevel: warn\n');
    expect(readFileSync(`${sources.configFile}.before-restore-${manifest.id}`, 'utf8')).toBe(
      'logLevel: debug\n',
    );
  }, 120_000);
});

/** A copy of the backup under another id, to tamper with. */
function cloneBackup(id: string): { dir: string; manifest: Manifest } {
  const src = path.join(backupsDir, manifest.id);
  const dir = path.join(backupsDir, id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'db'), { recursive: true });
  mkdirSync(path.join(dir, 'config', 'agents'), { recursive: true });
  for (const f of [...manifest.tables, ...manifest.files])
    writeFileSync(path.join(dir, f.file), readFileSync(path.join(src, f.file)));
  const copy: Manifest = { ...structuredClone(manifest), id };
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(copy));
  return { dir, manifest: copy };
}
