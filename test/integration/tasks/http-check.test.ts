import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/index.js';
import { HTTP_CHECK_TYPE, httpCheckHandler, type TaskQueue, type Worker } from '../../../src/tasks/index.js';
import { makeQueue, makeWorker, waitFor } from '../../fixtures/queue/helpers.js';
import { freshPglite } from '../../helpers/db.js';

describe('http.check handler against a real server on 127.0.0.1', () => {
  let db: Db;
  let queue: TaskQueue;
  let worker: Worker;
  let server: Server;
  let base: string;
  const hangers: Array<() => void> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') return res.end('hello world');
      if (req.url === '/fail') {
        res.statusCode = 500;
        return res.end('nope');
      }
      if (req.url === '/hang') return void hangers.push(() => res.end());
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    db = await freshPglite();
    queue = makeQueue(db, { backoffBaseMs: 5, backoffMaxMs: 10 });
    worker = makeWorker(db, queue, { [HTTP_CHECK_TYPE]: httpCheckHandler });
    await worker.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await db?.close();
    for (const end of hangers) end();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const finished = async (payload: unknown, maxAttempts = 1) => {
    const task = await queue.enqueue({ type: HTTP_CHECK_TYPE, payload, maxAttempts });
    const done = await waitFor(async () => {
      const t = await queue.get(task.id);
      return t && ['completed', 'dead'].includes(t.status) ? t : undefined;
    });
    return done!;
  };

  it('records status, ok, latency and body size of a successful probe', async () => {
    const task = await finished({ url: `${base}/ok` });
    expect(task.status).toBe('completed');
    expect(task.result).toMatchObject({ status: 200, ok: true, bytes: 11 });
    expect((task.result as { latencyMs: number }).latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('completes a probe that saw a 500 with ok false, or ok true when 500 was expected', async () => {
    expect((await finished({ url: `${base}/fail` })).result).toMatchObject({ status: 500, ok: false });
    const head = await finished({ url: `${base}/fail`, method: 'HEAD', expectStatus: 500 });
    expect(head.result).toEqual({ status: 500, ok: true, latencyMs: expect.any(Number) });
  });

  it('fails with a retryable error on timeout and on a refused connection, dead after max attempts', async () => {
    const slow = await finished({ url: `${base}/hang`, timeoutMs: 200 }, 2);
    expect(slow).toMatchObject({ status: 'dead', attempts: 2 });
    expect(slow.error).toMatch(/HttpCheckFailedError: .*timed out after 200 ms/);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await finished({ url: `http://127.0.0.1:${port}/` });
    expect(refused.error).toMatch(/ECONNREFUSED/);
  });

  it('kills a bad payload at once with a PermanentTaskError', async () => {
    for (const payload of [
      { url: 'file:///etc/passwd' },
      { url: 'not a url' },
      { url: `${base}/ok`, timeoutMs: 60_000 },
      { url: `${base}/ok`, method: 'POST' },
    ]) {
      const task = await finished(payload, 5);
      expect(task).toMatchObject({ status: 'dead', attempts: 1 });
      expect(task.error).toMatch(/^PermanentTaskError: invalid http.check payload/);
    }
  });
});
