import { randomBytes } from 'node:crypto';
import type { DockerClient, VolumeSummary } from '../sources/docker-types.js';
import { errorMessage } from '../util.js';

/**
 * Saving and restoring a volume's contents through the Engine API alone: a helper container
 * that mounts the volume is created but never started (any local image will do, since nothing
 * runs), and its archive endpoint reads or writes the mount. No image pull, no shell. An image
 * with a VOLUME (ours has /data) gives the helper an anonymous volume too: it is removed with
 * the helper, or every backup and restore would leave one behind on the user's engine.
 */
const MOUNT = '/doctor-volume';
const CREATE_TIMEOUT_MS = 120_000;

async function withHelper<T>(
  docker: DockerClient,
  volume: string,
  fn: (id: string) => Promise<T>,
): Promise<T> {
  const [image] = await docker.listImageIds();
  if (!image) throw new Error('no local image to mount the volume in');
  // Named after the volume, so whoever owns the volume's name recognises the helper too.
  const name = `${volume.slice(0, 180)}.doctor-helper-${randomBytes(4).toString('hex')}`;
  let id: string;
  try {
    // Creating copies the image's rootfs on some storage drivers: allow it time.
    id = await docker.createContainer(
      name,
      {
        Image: image,
        Cmd: ['true'],
        Entrypoint: ['true'],
        Labels: { 'sutazai.doctor.helper': 'volume-archive' },
        HostConfig: { Binds: [`${volume}:${MOUNT}`], NetworkMode: 'none' },
      },
      { timeoutMs: CREATE_TIMEOUT_MS },
    );
  } catch (err) {
    // A create that timed out on our side may still complete on the engine's: remove it by name.
    await docker.removeContainer(name, { force: true, removeVolumes: true }).catch(() => undefined);
    throw err;
  }
  try {
    return await fn(id);
  } finally {
    await docker.removeContainer(id, { force: true, removeVolumes: true }).catch(() => undefined);
  }
}

export interface SavedVolume {
  meta: VolumeSummary;
  tar?: Buffer;
  /** Why the contents were not saved, when they were not. */
  note?: string;
}

/** The volume's metadata, and a tar of its contents when it is at most `maxBytes`. */
export async function saveVolume(
  docker: DockerClient,
  name: string,
  maxBytes: number,
  knownSize?: number,
): Promise<SavedVolume> {
  const meta = await docker.inspectVolume(name);
  const size = knownSize ?? meta.UsageData?.Size ?? -1;
  if (maxBytes === 0) return { meta, note: 'volume backups are off (doctor.volumeBackupMaxBytes: 0)' };
  if (size > maxBytes) return { meta, note: `contents (${size} bytes) exceed doctor.volumeBackupMaxBytes` };
  try {
    const tar = await withHelper(docker, name, (id) => docker.getArchive(id, MOUNT));
    if (tar.length > maxBytes + 1024 * 1024)
      return { meta, note: `contents (${tar.length} bytes as tar) exceed doctor.volumeBackupMaxBytes` };
    return { meta, tar };
  } catch (err) {
    return { meta, note: `contents could not be archived: ${errorMessage(err)}` };
  }
}

/** Recreates a removed volume with its driver, options and labels, then its contents if saved. */
export async function restoreVolume(docker: DockerClient, meta: VolumeSummary, tar?: Buffer): Promise<void> {
  await docker.createVolume({
    Name: meta.Name,
    ...(meta.Driver ? { Driver: meta.Driver } : {}),
    ...(meta.Labels ? { Labels: meta.Labels } : {}),
    ...(meta.Options ? { DriverOpts: meta.Options } : {}),
  });
  // The archive's top directory is the mount's own name: extract it at / to land in the mount.
  if (tar && tar.length) await withHelper(docker, meta.Name, (id) => docker.putArchive(id, '/', tar));
}
