import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerInspect, DockerClient } from '../sources/docker-types.js';
import { errorMessage } from '../util.js';
import { loadBackup, readInspect, readVolumeBackup, type Backup } from './backup.js';
import { restoreVolume } from './volume-archive.js';

/** A create body that reproduces a container from its inspect JSON. */
function createBody(before: ContainerInspect): Record<string, unknown> {
  const mode = before.HostConfig.NetworkMode ?? '';
  const endpoints = Object.fromEntries(
    Object.entries(before.NetworkSettings?.Networks ?? {}).map(([name, n]) => [
      name,
      { Aliases: n.Aliases ?? null, Links: n.Links ?? null },
    ]),
  );
  return {
    ...before.Config,
    HostConfig: before.HostConfig,
    ...(['host', 'none'].includes(mode) || mode.startsWith('container:')
      ? {}
      : { NetworkingConfig: { EndpointsConfig: endpoints } }),
  };
}

/**
 * Brings one container back to its backed-up resources. Docker cannot lift a memory or CPU
 * limit with an update (0 means "unchanged", -1 is refused), so a container that had none is
 * recreated from its inspect JSON under the same name; otherwise the old values are updated back.
 */
async function restoreContainer(docker: DockerClient, backup: Backup, id: string): Promise<void> {
  const before = await readInspect(backup, id);
  const name = before.Name.replace(/^\//, '');
  const now = await docker.inspectContainer(id).catch(() => undefined);
  const needsRecreate =
    !now ||
    (!before.HostConfig.Memory && !!now.HostConfig.Memory) ||
    (!before.HostConfig.NanoCpus && !!now.HostConfig.NanoCpus);
  if (now && !needsRecreate) {
    await docker.updateContainer(id, {
      ...(before.HostConfig.Memory
        ? { Memory: before.HostConfig.Memory, MemorySwap: before.HostConfig.MemorySwap ?? -1 }
        : {}),
      ...(before.HostConfig.NanoCpus ? { NanoCpus: before.HostConfig.NanoCpus } : {}),
      ...(before.HostConfig.RestartPolicy ? { RestartPolicy: before.HostConfig.RestartPolicy } : {}),
    });
    if (before.State.Running && !now.State.Running) await docker.startContainer(id);
    await backup.journal('rollback:container:updated', { id, name });
    return;
  }
  if (now) {
    await docker.stopContainer(id, 5);
    await docker.renameContainer(id, `${name}-doctor-old-${Date.now()}`);
  }
  const newId = await docker.createContainer(name, createBody(before), { timeoutMs: 120_000 });
  if (before.State.Running) await docker.startContainer(newId);
  if (now) await docker.removeContainer(id, { force: true });
  await backup.journal('rollback:container:recreated', { id, newId, name });
}

export interface RollbackResult {
  ok: boolean;
  backupDir: string;
  errors: string[];
  /** What could not be brought back, exactly (deleted images, volume contents not saved…). */
  notRestored: string[];
  summary: string;
}

/** Removed images and networks the journal lists: the doctor cannot bring these back. */
async function removedBeyondRepair(backup: Backup): Promise<string[]> {
  const journal = await readFile(path.join(backup.dir, 'journal.ndjson'), 'utf8').catch(() => '');
  const out: string[] = [];
  for (const line of journal.split('\n').filter(Boolean)) {
    const e = JSON.parse(line) as {
      step: string;
      action?: { kind: string };
      detail?: { removed?: string[] };
    };
    if (e.step !== 'fix:action:applied' || !e.detail?.removed) continue;
    if (e.action?.kind === 'remove-images')
      for (const id of e.detail.removed)
        out.push(`image ${id}: deleted images cannot be restored (rebuild or pull it)`);
    if (e.action?.kind === 'remove-networks')
      for (const n of e.detail.removed)
        out.push(`network ${n}: not recreated (compose recreates it on the next up)`);
  }
  return out;
}

/** Recreates every backed-up volume that no longer exists, with its contents when saved. */
async function restoreVolumes(docker: DockerClient, backup: Backup, errors: string[], notRestored: string[]) {
  for (const v of backup.manifest.volumes ?? []) {
    const exists = await docker.inspectVolume(v.name).then(
      () => true,
      () => false,
    );
    if (exists) continue;
    try {
      const saved = await readVolumeBackup(backup, v.name);
      await restoreVolume(docker, saved.meta, saved.tar);
      if (!saved.tar)
        notRestored.push(
          `volume ${v.name}: recreated empty; its contents were not saved (${v.note ?? 'no archive'})`,
        );
      await backup.journal('rollback:volume:restored', { name: v.name, contents: !!saved.tar });
    } catch (err) {
      errors.push(`volume ${v.name}: ${errorMessage(err)}`);
      notRestored.push(`volume ${v.name}: not recreated (${errorMessage(err)})`);
    }
  }
}

/** Restores the compose files and every backed-up container; keeps going past single failures. */
export async function rollback(docker: DockerClient, backup: Backup): Promise<RollbackResult> {
  const errors: string[] = [];
  await backup.journal('rollback:start');
  for (const f of backup.manifest.composeFiles) {
    try {
      await copyFile(f.copy, f.original);
      await backup.journal('rollback:compose:restored', { file: f.original });
    } catch (err) {
      errors.push(`${f.original}: ${errorMessage(err)}`);
    }
  }
  for (const id of backup.manifest.containers) {
    try {
      await restoreContainer(docker, backup, id);
    } catch (err) {
      errors.push(`${id.slice(0, 12)}: ${errorMessage(err)}`);
      await backup.journal('rollback:container:failed', { id, error: errorMessage(err) });
    }
  }
  const notRestored: string[] = [];
  await restoreVolumes(docker, backup, errors, notRestored);
  for (const id of backup.manifest.containers)
    if (errors.some((e) => e.startsWith(id.slice(0, 12))))
      notRestored.push(`container ${id.slice(0, 12)}: see errors`);
  notRestored.push(...(await removedBeyondRepair(backup)));
  await backup.journal('rollback:done', { errors, notRestored });
  const lost = notRestored.length ? `; could not restore: ${notRestored.join('; ')}` : '';
  return {
    ok: errors.length === 0,
    backupDir: backup.dir,
    errors,
    notRestored,
    summary: errors.length
      ? `rollback finished with ${errors.length} error(s): ${errors.join('; ')}${lost}`
      : `restored ${backup.manifest.id}${lost}`,
  };
}

/** `sutazai doctor rollback [backup]`. */
export async function rollbackBackup(opts: {
  docker: DockerClient;
  dataDir: string;
  backup?: string;
}): Promise<RollbackResult> {
  const backup = await loadBackup(opts.dataDir, opts.backup);
  const result = await rollback(opts.docker, backup);
  backup.manifest.outcome = 'restored';
  await backup.saveManifest();
  return result;
}
