import { copyFile } from 'node:fs/promises';
import type { ContainerInspect, DockerClient } from '../sources/docker-types.js';
import { errorMessage } from '../util.js';
import { loadBackup, readInspect, type Backup } from './backup.js';

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
  const newId = await docker.createContainer(name, createBody(before));
  if (before.State.Running) await docker.startContainer(newId);
  if (now) await docker.removeContainer(id, { force: true });
  await backup.journal('rollback:container:recreated', { id, newId, name });
}

export interface RollbackResult {
  ok: boolean;
  backupDir: string;
  errors: string[];
  summary: string;
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
  await backup.journal('rollback:done', { errors });
  return {
    ok: errors.length === 0,
    backupDir: backup.dir,
    errors,
    summary: errors.length
      ? `rollback finished with ${errors.length} error(s): ${errors.join('; ')}`
      : `restored ${backup.manifest.id}`,
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
