import { afterAll, beforeAll, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollama-double.js';
import { describeWithService } from '../../helpers/services.js';
import {
  buildImage,
  containerRunArgs,
  docker,
  freePort,
  logs,
  removeQuietly,
  uniqueName,
  waitForHealth,
} from './image-helpers.js';

const ADMIN_PASSWORD = 'image-test-admin-password';

describeWithService('DOCKER_HOST', 'the SutazAI container image on the real engine', () => {
  let image = '';
  let ollama: OllamaDouble;
  const container = uniqueName('image');
  const volume = uniqueName('image-data');
  let base = '';

  beforeAll(async () => {
    image = await buildImage();
    ollama = await startOllamaDouble();
  }, 45 * 60_000);

  afterAll(async () => {
    await removeQuietly('container', container);
    await removeQuietly('volume', volume);
    await ollama?.close();
  });

  it(
    'holds production dependencies only, runs as the non-root node user, keeps data in a volume and checks /ready',
    async () => {
      const config = JSON.parse(await docker(['image', 'inspect', '-f', '{{json .Config}}', image])) as {
        User: string;
        Volumes: Record<string, unknown>;
        Healthcheck: { Test: string[] };
        Entrypoint: string[];
      };
      expect(config.User).toBe('node');
      expect(Object.keys(config.Volumes)).toEqual(['/data']);
      expect(config.Healthcheck.Test.join(' ')).toContain("/ready'");
      // fastify is a runtime dependency, vitest and typescript are dev ones.
      const present = await docker(
        [
          'run',
          '--rm',
          '--network',
          'none',
          '--entrypoint',
          'node',
          image,
          '-e',
          "console.log(['fastify','vitest','typescript'].map(p=>require('fs').existsSync('node_modules/'+p)).join())",
        ],
        5 * 60_000,
      );
      expect(present).toBe('true,false,false');
    },
    6 * 60_000,
  );

  it(
    'becomes healthy read-only on host networking, answers the API, and drains on SIGTERM',
    async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      // The engine here runs without a bridge (provision-docker.sh): host networking, so the
      // container binds loopback on the host and reaches the Ollama double there.
      const env = {
        SUTAZAI_ADMIN_PASSWORD: ADMIN_PASSWORD,
        OLLAMA_HOST: ollama.url,
        SUTAZAI_LOG_LEVEL: 'info',
      };
      await docker(containerRunArgs({ name: container, image, volume, port, env }), 5 * 60_000);
      await waitForHealth(container, 'healthy', 5 * 60_000);

      expect((await fetch(`${base}/ready`)).status).toBe(200);
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      });
      expect(login.status).toBe(200);
      const { access_token } = (await login.json()) as { access_token: string };
      const auth = { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' };

      // A chat that is still in flight when SIGTERM arrives must be answered before the exit.
      ollama.setLatency(1_500);
      const inFlight = fetch(`${base}/api/v1/chat`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ message: 'drain me' }),
      });
      await waitUntil(() => ollama.counters.chatRequests > 0, 10_000);
      await docker(['kill', '--signal', 'SIGTERM', container]);
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { message: { content: string } }).message.content).toContain(
        'drain me',
      );

      const exit = await docker(['wait', container], 30_000);
      const out = await logs(container);
      expect(exit, out.slice(-3000)).toBe('0');
      expect(out).toContain('platform:shutdown:start');
      expect(out).toContain('platform:shutdown:done');
      expect(out).not.toContain('platform:shutdown:forced');
    },
    10 * 60_000,
  );
});

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
