import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../src/app.js';
import { adminHeaders, startTestPlatform } from '../../helpers/platform.js';

let platform: Platform;
let base: string;
let target: Server;
let targetUrl: string;

beforeAll(async () => {
  target = createServer((req, res) => {
    res.writeHead(req.url === '/down' ? 503 : 200, { 'content-type': 'text/plain' });
    res.end('pong');
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  // The API key below is a user's: its http.check may reach the loopback target only because
  // outbound.allow lists it (decision 0017).
  platform = await startTestPlatform({
    SUTAZAI_WORKER_CONCURRENCY: '2',
    SUTAZAI_OUTBOUND_ALLOW: '127.0.0.1',
  });
  base = await platform.listen();
});

afterAll(async () => {
  await platform?.close();
  await new Promise((resolve) => target?.close(resolve));
});

async function waitForTask(headers: Record<string, string>, id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${base}/api/v1/tasks/${id}`, { headers });
    const task = (await res.json()) as Record<string, unknown>;
    if (['completed', 'dead', 'cancelled'].includes(task.status as string)) return task;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`task ${id} did not finish`);
}

describe('the platform end to end over real HTTP', () => {
  it('logs in, issues an API key, and runs an http.check task to completion through the queue', async () => {
    const admin = await adminHeaders(base);
    const keyRes = await fetch(`${base}/api/v1/auth/api-keys`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'e2e' }),
    });
    expect(keyRes.status).toBe(201);
    const { key } = (await keyRes.json()) as { key: string };
    const headers = { 'x-api-key': key };

    const post = await fetch(`${base}/api/v1/tasks`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'http.check', payload: { url: `${targetUrl}/ok`, timeoutMs: 2000 } }),
    });
    expect(post.status).toBe(202);
    const { id } = (await post.json()) as { id: string };

    const task = await waitForTask(headers, id);
    expect(task.status).toBe('completed');
    expect(task.result).toMatchObject({ status: 200, ok: true });
  });

  it('refuses the task API without credentials and with a revoked key', async () => {
    expect((await fetch(`${base}/api/v1/tasks`)).status).toBe(401);
    const res = await fetch(`${base}/api/v1/tasks`, {
      headers: { 'x-api-key': 'sk_sutazai_not-a-real-key' },
    });
    expect(res.status).toBe(401);
  });

  it('reports task counts and the HTTP histogram on /metrics', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/sutazai_tasks\{status="completed"\} [1-9]/);
    expect(text).toContain('sutazai_http_request_duration_seconds_bucket');
    expect(text).toContain('sutazai_process_resident_memory_bytes');
  });
});
