/**
 * The container image: its size, and the time from `docker run` to the engine reporting the
 * container healthy (the image's HEALTHCHECK on /ready), first start (empty volume: PGlite initdb)
 * and warm start (volume reused), medians over `runs`. The same process on the host, without a
 * container: bench/startup.ts.
 *   DOCKER_HOST=unix:///var/run/docker.sock npx tsx bench/image-start.ts [runs=3]
 * Builds the image with scripts/build-image.sh (reused when the tree is unchanged), or uses
 * SUTAZAI_TEST_IMAGE. The healthcheck interval (5 s) bounds the resolution of the figure.
 */
import {
  buildImage,
  containerRunArgs,
  docker,
  freePort,
  removeQuietly,
  uniqueName,
  waitForHealth,
} from '../test/services/deploy/image-helpers.js';
import { median, report } from './lib.js';

const runs = Number(process.argv[2] ?? 3);

async function startToHealthy(image: string, volume: string): Promise<number> {
  const name = uniqueName('bench');
  const port = await freePort();
  const started = performance.now();
  try {
    await docker(
      containerRunArgs({
        name,
        image,
        volume,
        port,
        env: { SUTAZAI_ADMIN_PASSWORD: 'bench-admin-password' },
      }),
      5 * 60_000,
    );
    await waitForHealth(name, 'healthy', 5 * 60_000);
    return performance.now() - started;
  } finally {
    await docker(['stop', '-t', '15', name], 60_000).catch(() => undefined);
    await removeQuietly('container', name);
  }
}

const image = await buildImage();
const size = Number(await docker(['image', 'inspect', '-f', '{{.Size}}', image]));
const cold: number[] = [];
const warm: number[] = [];
for (let i = 0; i < runs; i++) {
  const volume = uniqueName('bench-data');
  try {
    cold.push(await startToHealthy(image, volume));
    warm.push(await startToHealthy(image, volume));
  } finally {
    await removeQuietly('volume', volume);
  }
}
report('image', {
  image,
  size_mb: Math.round(size / 1e6),
  runs,
  first_start_to_healthy_ms_median: Math.round(median(cold)),
  warm_start_to_healthy_ms_median: Math.round(median(warm)),
});
