import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollama-double.js';
import { collect, killGroup, spawnCli, waitForLine } from '../../helpers/cli.js';

const ADMIN_PASSWORD = 'drain-keep-alive-password';
let ollama: OllamaDouble | undefined;
let pid: number | undefined;

afterAll(async () => {
  killGroup(pid);
  await ollama?.close();
});

it('SIGTERM with a request in flight answers it, then exits 0 without waiting for the keep-alive socket', async () => {
  ollama = await startOllamaDouble();
  ollama.setLatency(1_500);
  const dir = mkdtempSync(path.join(tmpdir(), 'sutazai-drain-ka-'));
  const child = spawnCli(
    ['up'],
    {
      SUTAZAI_DATA_DIR: dir,
      SUTAZAI_PORT: '0',
      SUTAZAI_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SUTAZAI_MCP_CONFIG: path.join(dir, 'none.json'),
      SUTAZAI_AGENTS_DIR: path.join(dir, 'agents'),
      SUTAZAI_LOG_LEVEL: 'info',
      OLLAMA_HOST: ollama.url,
    },
    dir,
  );
  pid = child.pid;
  const done = collect(child);
  const [, base] = await waitForLine(child, /SutazAI API ready on (http:\/\/\S+)/, 120_000);
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  const { access_token } = (await login.json()) as { access_token: string };
  // fetch keeps the connection alive after the answer, as browsers and SDK clients do.
  const inFlight = fetch(`${base}/api/v1/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'drain me' }),
  });
  while (ollama.counters.chatRequests === 0) await new Promise((r) => setTimeout(r, 20));
  process.kill(child.pid!, 'SIGTERM');
  const answer = await inFlight;
  expect(answer.status).toBe(200);
  expect(answer.headers.get('connection')).toBe('close');
  const result = await done;
  expect(result.stdout).toContain('platform:shutdown:done');
  expect(result.stdout).not.toContain('platform:shutdown:forced');
  expect(result.code).toBe(0);
}, 180_000);
