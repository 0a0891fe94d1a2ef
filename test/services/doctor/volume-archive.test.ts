import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpDockerClient, type DockerClient } from '../../../src/ops/index.js';
import { restoreVolume, saveVolume } from '../../../src/ops/fix/volume-archive.js';
import { describeWithService } from '../../helpers/services.js';
import { uniqueName } from '../deploy/image-helpers.js';
import { IMAGE, docker, inVolume } from './docker-helpers.js';

/**
 * The doctor saves and restores a volume through a helper container created from any local
 * image. When that image declares a VOLUME (the SutazAI image has /data), the helper gets an
 * anonymous volume as well; each full test run used to leave two behind (one save, one restore).
 */
describeWithService('DOCKER_HOST', 'volume backups leave no volume behind', (dockerHost) => {
  const image = `${uniqueName('volume-image')}:1`;
  const volume = uniqueName('volume-archive');
  const source = uniqueName('volume-image-src');
  let client: HttpDockerClient;
  /** Anonymous volumes of every helper container the doctor created, read before it removed them. */
  const helperVolumes: string[] = [];

  beforeAll(async () => {
    client = new HttpDockerClient({ host: dockerHost, timeoutMs: 15_000 });
    await docker('create', '--name', source, '--network', 'none', IMAGE, 'true');
    await docker('commit', '--change', 'VOLUME ["/data"]', source, image);
    await docker('rm', source);
    await docker('volume', 'create', volume);
    await inVolume(volume, 'echo kept > /v/f');
  });
  afterAll(async () => {
    await docker('volume', 'rm', '-f', volume, ...helperVolumes).catch(() => undefined);
    await docker('rmi', '-f', image).catch(() => undefined);
  });

  /** The engine's client, with our VOLUME image listed first, recording each helper's mounts. */
  const recordingClient = (): DockerClient =>
    Object.assign(Object.create(client) as HttpDockerClient, {
      listImageIds: async () => [await docker('image', 'inspect', '-f', '{{.Id}}', image)],
      createContainer: async (...args: Parameters<DockerClient['createContainer']>) => {
        const id = await client.createContainer(...args);
        const mounts = JSON.parse(await docker('inspect', '-f', '{{json .Mounts}}', id)) as Array<{
          Name?: string;
          Destination: string;
        }>;
        helperVolumes.push(...mounts.filter((m) => m.Destination === '/data').map((m) => m.Name!));
        return id;
      },
    });

  const exists = async (name: string) =>
    docker('volume', 'inspect', name).then(
      () => true,
      () => false,
    );

  it('removes the anonymous volume of each helper after a save and a restore', async () => {
    const saved = await saveVolume(recordingClient(), volume, 1024 * 1024);
    expect(saved.tar?.length).toBeGreaterThan(0);
    await docker('volume', 'rm', volume);
    await restoreVolume(recordingClient(), saved.meta, saved.tar);
    expect(await inVolume(volume, 'cat /v/f')).toBe('kept');

    expect(helperVolumes).toHaveLength(2);
    for (const name of helperVolumes) expect(await exists(name), name).toBe(false);
    expect(await exists(volume)).toBe(true);
  });
});
