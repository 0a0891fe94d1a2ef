import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpFetchToolSchema } from '../../../src/config/schema.js';
import type { Db } from '../../../src/db/index.js';
import { createOutboundGuard, type LookupAll, type OutboundGuard } from '../../../src/net/index.js';
import { createHttpCheckHandler, HTTP_CHECK_TYPE, type TaskQueue } from '../../../src/tasks/index.js';
import { createBuiltinTools } from '../../../src/tools/builtin/index.js';
import { makeQueue, makeWorker, waitFor } from '../../fixtures/queue/helpers.js';
import { freshPglite } from '../../helpers/db.js';

/**
 * Issue 9 item 5: http.check and http.fetch go through one guard. A user's request cannot reach
 * loopback, private, link-local or metadata addresses (by literal, by a name that resolves there,
 * or by a redirect) unless outbound.allow lists them; an admin's can.
 */
let server: Server;
let port: number;
let hits = 0;

/** Names only this test's resolver knows: proof that the connection uses the checked address. */
const lookup: LookupAll = async (host) => {
  if (host === 'loopback-name.test' || host === 'listed-name.test')
    return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};
const guardWith = (allow: string[]): OutboundGuard => createOutboundGuard({ allow, lookup });

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/to-loopback') {
      res.writeHead(302, { location: `http://127.0.0.1:${port}/hit` });
      return res.end();
    }
    hits += 1;
    res.end('secret');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const refusedTargets = () => [
  `http://127.0.0.1:${port}/hit`,
  `http://10.0.0.1:${port}/hit`,
  'http://169.254.169.254/latest/meta-data/',
  `http://[::1]:${port}/hit`,
  `http://loopback-name.test:${port}/hit`,
  'http://metadata.google.internal/computeMetadata/v1/',
  'http://[fd00:ec2::254]/latest/meta-data/',
  'http://100.100.100.200/latest/meta-data/',
  `http://[::ffff:127.0.0.1]:${port}/hit`,
];

describe('http.check through the outbound guard', () => {
  let db: Db;
  let queue: TaskQueue;
  const workers: Array<{ stop(): Promise<void> }> = [];

  beforeAll(async () => {
    db = await freshPglite();
    queue = makeQueue(db, { backoffBaseMs: 5, backoffMaxMs: 10 });
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await db?.close();
  });

  /** Runs one http.check for `role` with a worker whose guard has `allow`; returns the finished task. */
  const check = async (url: string, role: 'admin' | 'user', allow: string[] = []) => {
    const type = HTTP_CHECK_TYPE;
    const worker = makeWorker(db, queue, { [type]: createHttpCheckHandler(guardWith(allow)) });
    workers.push(worker);
    await worker.start();
    try {
      const task = await queue.enqueue({
        type,
        payload: { url, timeoutMs: 2000 },
        requestedByRole: role,
        maxAttempts: 1,
      });
      return (await waitFor(async () => {
        const t = await queue.get(task.id);
        return t && ['completed', 'dead'].includes(t.status) ? t : undefined;
      }))!;
    } finally {
      await worker.stop();
    }
  };

  it('refuses a user loopback, private, link-local and metadata targets without connecting', async () => {
    const before = hits;
    for (const url of refusedTargets()) {
      const task = await check(url, 'user');
      expect(task.status, url).toBe('dead');
      expect(task.error, url).toMatch(/PermanentTaskError: http\.check .* refused: /);
    }
    expect(hits).toBe(before);
  });

  it('does not follow a redirect (the 3xx is the result), so a redirect cannot reach loopback', async () => {
    const before = hits;
    const task = await check(`http://listed-name.test:${port}/to-loopback`, 'user', ['listed-name.test']);
    expect(task).toMatchObject({ status: 'completed', result: { status: 302, ok: false } });
    expect(hits).toBe(before);
  });

  it('lets an admin reach loopback, by literal and by a name only the guard resolved (pinned)', async () => {
    const before = hits;
    expect(await check(`http://127.0.0.1:${port}/hit`, 'admin')).toMatchObject({
      status: 'completed',
      result: { status: 200, ok: true, bytes: 6 },
    });
    expect(await check(`http://loopback-name.test:${port}/hit`, 'admin')).toMatchObject({
      status: 'completed',
    });
    expect(hits).toBe(before + 2);
  });

  it('lets a user reach an address or host the allowlist names, and nothing else', async () => {
    expect((await check(`http://127.0.0.1:${port}/hit`, 'user', ['127.0.0.0/8'])).status).toBe('completed');
    expect((await check(`http://listed-name.test:${port}/hit`, 'user', ['listed-name.test'])).status).toBe(
      'completed',
    );
    expect((await check(`http://127.0.0.1:${port}/hit`, 'user', ['10.0.0.0/8'])).status).toBe('dead');
  });
});

describe('http.fetch through the outbound guard', () => {
  const tools = (allow: string[]) =>
    createBuiltinTools(HttpFetchToolSchema.parse({ timeoutMs: 2000 }), { guard: guardWith(allow) });

  it('refuses a user the same targets, and a redirect from an allowed host to loopback', async () => {
    const before = hits;
    for (const url of refusedTargets()) {
      const out = await tools([]).callTool('http.fetch', { url }, { requester: 'user' });
      expect(out.isError, url).toBe(true);
      expect(out.content, url).toMatch(/http\.fetch failed: .*(loopback|metadata)/);
    }
    const redirected = await tools(['listed-name.test']).callTool(
      'http.fetch',
      { url: `http://listed-name.test:${port}/to-loopback` },
      { requester: 'user' },
    );
    expect(redirected.isError).toBe(true);
    expect(redirected.content).toMatch(/127\.0\.0\.1 .*loopback/);
    expect(hits).toBe(before);
  });

  it('lets an admin follow the redirect to loopback, and a user with an allowlist entry', async () => {
    const before = hits;
    const admin = await tools([]).callTool(
      'http.fetch',
      { url: `http://loopback-name.test:${port}/to-loopback` },
      { requester: 'admin' },
    );
    expect(admin).toMatchObject({ isError: false, structured: { status: 200, body: 'secret' } });
    const user = await tools(['127.0.0.1']).callTool(
      'http.fetch',
      { url: `http://127.0.0.1:${port}/hit` },
      { requester: 'user' },
    );
    expect(user).toMatchObject({ isError: false, structured: { status: 200 } });
    expect(hits).toBe(before + 2);
  });
});
