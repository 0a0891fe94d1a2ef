import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadComposeProject } from '../../../src/ops/index.js';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollama-double.js';
import { runMain } from '../../helpers/capture.js';
import { describeWithService } from '../../helpers/services.js';
import {
  REPO,
  buildImage,
  containerRunArgs,
  docker,
  freePort,
  removeQuietly,
  uniqueName,
  waitForHealth,
} from './image-helpers.js';

const ADMIN_PASSWORD = 'minimal-tier-admin-password';
const COMPOSE = path.join(REPO, 'deploy/compose/compose.yaml');

interface Report {
  partial: boolean;
  sources: Array<{ name: string; status: string }>;
  findings: Array<{ ruleId: string; severity: string; service?: string }>;
}

/**
 * The minimal tier's `sutazai` service on the real engine, from the locally built image. There is
 * no compose binary here and no bridge network: the container is created from the tier's
 * declared model (image, environment, limits, restart policy, read-only, init, volume) with the
 * compose project/service labels, on host networking. Ollama's image cannot be pulled, so only
 * the sutazai service runs (the doctor reports ollama as a phantom, which this test leaves aside).
 */
describeWithService('DOCKER_HOST', 'the minimal compose tier on the real engine', () => {
  const project = uniqueName('tier');
  const container = `${project}-sutazai-1`;
  const volume = `${project}_sutazai-data`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sutazai-tier-doctor-'));
  const envFile = path.join(dataDir, '.env');
  let image = '';
  let ollama: OllamaDouble;

  beforeAll(async () => {
    image = await buildImage();
    ollama = await startOllamaDouble();
    writeFileSync(envFile, `SUTAZAI_ADMIN_PASSWORD=${ADMIN_PASSWORD}\nSUTAZAI_IMAGE=${image}\n`);
  }, 45 * 60_000);

  afterAll(async () => {
    await removeQuietly('container', container);
    await removeQuietly('volume', volume);
    await ollama?.close();
  });

  const audit = async (): Promise<Report> => {
    process.env.SUTAZAI_DATA_DIR = dataDir;
    const res = await runMain([
      'doctor',
      '-f',
      COMPOSE,
      '-p',
      project,
      '--env-file',
      envFile,
      '--without',
      'listeners,processes,platform,registry',
      '--format',
      'json',
    ]);
    return JSON.parse(res.out) as Report;
  };
  const sutazaiFindings = (r: Report) => r.findings.filter((f) => f.service === 'sutazai');

  it(
    'the doctor reports the declared service as missing before it runs, and running and healthy after',
    async () => {
      const before = await audit();
      expect(before.sources.find((s) => s.name === 'docker')?.status).toBe('ok');
      expect(sutazaiFindings(before).map((f) => f.ruleId)).toContain('phantom-service');

      const decl = loadComposeProject({
        files: [COMPOSE],
        env: { SUTAZAI_ADMIN_PASSWORD: ADMIN_PASSWORD, SUTAZAI_IMAGE: image },
      }).services.find((s) => s.name === 'sutazai')!;
      const config = decl.config as { environment: Record<string, string>; restart: string; image: string };
      expect(config.image).toBe(image);
      const port = await freePort();
      const flags = [
        '--label',
        `com.docker.compose.project=${project}`,
        '--label',
        'com.docker.compose.service=sutazai',
        '--label',
        'com.docker.compose.container-number=1',
        '--restart',
        config.restart,
        '--memory',
        String(decl.memoryLimit),
        '--cpus',
        String(decl.cpuLimit),
      ];
      const env = { ...config.environment, OLLAMA_HOST: ollama.url };
      const run = { name: container, image, volume, port, env, flags, tmpfs: '/tmp:size=64m' };
      await docker(containerRunArgs(run), 5 * 60_000);
      await waitForHealth(container, 'healthy', 5 * 60_000);

      const after = await audit();
      expect(after.partial).toBe(false);
      expect(
        sutazaiFindings(after).filter((f) => ['critical', 'high', 'medium'].includes(f.severity)),
      ).toEqual([]);
      expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
    },
    12 * 60_000,
  );
});
