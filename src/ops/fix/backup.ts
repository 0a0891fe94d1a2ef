import { randomBytes } from 'node:crypto';
import { appendFile, copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerInspect, DockerClient, VolumeSummary } from '../sources/docker-types.js';
import { doctorDir } from '../options.js';
import type { FixPlan } from './plan.js';
import { saveVolume } from './volume-archive.js';

/**
 * A backup directory: `<dataDir>/doctor/backups/<timestamp>-<rand>/` holding manifest.json,
 * compose/<n>-<name> (copies of every compose file), containers/<id>.json (inspect JSON of
 * everything the fix touches) and journal.ndjson (every step, appended as it happens).
 */
export interface BackupManifest {
  id: string;
  createdAt: string;
  plan: FixPlan;
  composeFiles: Array<{ original: string; copy: string }>;
  containers: string[];
  /** Volumes saved before the irreversible phase: metadata always, contents when small enough. */
  volumes?: Array<{ name: string; tar: boolean; note?: string }>;
  outcome?: 'applied' | 'rolled-back' | 'incomplete' | 'failed' | 'restored';
}

export interface Backup {
  dir: string;
  manifest: BackupManifest;
  journal(step: string, data?: Record<string, unknown>): Promise<void>;
  saveManifest(): Promise<void>;
}

export function backupsRoot(dataDir: string): string {
  return path.join(doctorDir(dataDir), 'backups');
}

function openBackup(dir: string, manifest: BackupManifest): Backup {
  return {
    dir,
    manifest,
    journal: (step, data = {}) =>
      appendFile(
        path.join(dir, 'journal.ndjson'),
        `${JSON.stringify({ at: new Date().toISOString(), step, ...data })}\n`,
      ),
    saveManifest: () => writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2)),
  };
}

export async function createBackup(
  dataDir: string,
  plan: FixPlan,
  composeFiles: string[],
  inspects: ContainerInspect[],
): Promise<Backup> {
  const id = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
  const dir = path.join(backupsRoot(dataDir), id);
  await mkdir(path.join(dir, 'compose'), { recursive: true });
  await mkdir(path.join(dir, 'containers'), { recursive: true });
  const copies = [];
  for (const [i, original] of composeFiles.entries()) {
    const copy = path.join(dir, 'compose', `${i}-${path.basename(original)}`);
    await copyFile(original, copy);
    copies.push({ original, copy });
  }
  for (const c of inspects)
    await writeFile(path.join(dir, 'containers', `${c.Id}.json`), JSON.stringify(c, null, 2));
  const backup = openBackup(dir, {
    id,
    createdAt: new Date().toISOString(),
    plan,
    composeFiles: copies,
    containers: inspects.map((c) => c.Id),
  });
  await backup.saveManifest();
  await backup.journal('backup:created', { composeFiles: composeFiles.length, containers: inspects.length });
  return backup;
}

/** Saves what rollback needs to undo the volume removals of `names` (metadata and small contents). */
export async function backupVolumes(
  backup: Backup,
  docker: DockerClient,
  names: string[],
  opts: { maxBytes: number; sizes: Map<string, number> },
): Promise<void> {
  await mkdir(path.join(backup.dir, 'volumes'), { recursive: true });
  backup.manifest.volumes ??= [];
  for (const name of names) {
    const saved = await saveVolume(docker, name, opts.maxBytes, opts.sizes.get(name));
    const file = path.join(backup.dir, 'volumes', encodeURIComponent(name));
    await writeFile(`${file}.json`, JSON.stringify(saved.meta, null, 2));
    if (saved.tar) await writeFile(`${file}.tar`, saved.tar);
    backup.manifest.volumes.push({ name, tar: !!saved.tar, ...(saved.note ? { note: saved.note } : {}) });
    await backup.journal('backup:volume', { name, tar: !!saved.tar, note: saved.note ?? null });
  }
  await backup.saveManifest();
}

export async function readVolumeBackup(
  backup: Backup,
  name: string,
): Promise<{ meta: VolumeSummary; tar?: Buffer }> {
  const file = path.join(backup.dir, 'volumes', encodeURIComponent(name));
  const meta = JSON.parse(await readFile(`${file}.json`, 'utf8')) as VolumeSummary;
  const tar = await readFile(`${file}.tar`).catch(() => undefined);
  return { meta, ...(tar ? { tar } : {}) };
}

export async function loadBackup(dataDir: string, idOrPath?: string): Promise<Backup> {
  const root = backupsRoot(dataDir);
  let dir: string;
  if (idOrPath && (idOrPath.includes('/') || idOrPath.includes(path.sep))) dir = path.resolve(idOrPath);
  else if (idOrPath) dir = path.join(root, idOrPath);
  else {
    const all = (await readdir(root).catch(() => [])).sort();
    if (all.length === 0) throw new Error(`no backups in ${root}`);
    dir = path.join(root, all[all.length - 1]!);
  }
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  return openBackup(dir, manifest);
}

export async function readInspect(backup: Backup, id: string): Promise<ContainerInspect> {
  return JSON.parse(
    await readFile(path.join(backup.dir, 'containers', `${id}.json`), 'utf8'),
  ) as ContainerInspect;
}

export interface BackupInfo {
  id: string;
  dir: string;
  createdAt: string;
  outcome?: string;
  actions: number;
}

export async function listBackups(dataDir: string): Promise<BackupInfo[]> {
  const root = backupsRoot(dataDir);
  const ids = (await readdir(root).catch(() => [])).sort().reverse();
  const out: BackupInfo[] = [];
  for (const id of ids) {
    const b = await loadBackup(dataDir, id).catch(() => undefined);
    if (b)
      out.push({
        id,
        dir: b.dir,
        createdAt: b.manifest.createdAt,
        ...(b.manifest.outcome ? { outcome: b.manifest.outcome } : {}),
        actions: b.manifest.plan.actions.length,
      });
  }
  return out;
}
