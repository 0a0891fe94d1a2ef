import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../../src/http/rate-limit.js';
import { createRateLimiter } from '../../../src/http/rate-limit.js';
import { RedisRateLimiter } from '../../../src/http/redis-rate-limit.js';
import { describeWithService } from '../../helpers/services.js';

function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describeWithService('TEST_REDIS_URL', 'RedisRateLimiter', (url) => {
  const opened: RedisRateLimiter[] = [];
  const limiter = (logger = pino({ level: 'silent' }), target = url) => {
    const l = new RedisRateLimiter({
      url: target,
      logger,
      keyPrefix: `test:rl:${randomBytes(4).toString('hex')}:`,
      connectTimeoutMs: 1000,
    });
    opened.push(l);
    return l;
  };
  afterAll(async () => {
    await Promise.all(opened.map((l) => l.close()));
  });

  it('shares one window across two limiter instances (two processes)', async () => {
    const prefix = `test:rl:${randomBytes(4).toString('hex')}:`;
    const mk = () => {
      const l = new RedisRateLimiter({ url, logger: pino({ level: 'silent' }), keyPrefix: prefix });
      opened.push(l);
      return l;
    };
    const a = mk();
    const b = mk();
    expect(await a.ready()).toBe(true);
    expect(await b.ready()).toBe(true);
    const rule = { max: 3, windowSeconds: 30 };
    expect((await a.hit('login:1.2.3.4', rule)).allowed).toBe(true);
    expect((await b.hit('login:1.2.3.4', rule)).allowed).toBe(true);
    expect(await a.hit('login:1.2.3.4', rule)).toMatchObject({ allowed: true, remaining: 0 });
    const refused = await b.hit('login:1.2.3.4', rule);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(30);
    // Another key has its own window.
    expect((await b.hit('login:5.6.7.8', rule)).allowed).toBe(true);
  });

  it('opens a new window once the old one expires', async () => {
    const l = limiter();
    expect(await l.ready()).toBe(true);
    const rule = { max: 1, windowSeconds: 1 };
    expect((await l.hit('k', rule)).allowed).toBe(true);
    expect((await l.hit('k', rule)).allowed).toBe(false);
    await expect
      .poll(async () => (await l.hit('k', rule)).allowed, { timeout: 5000, interval: 250 })
      .toBe(true);
  });

  it('falls back to per-process memory limits when Redis is unreachable, logging it once', async () => {
    const { logger, lines } = capturingLogger();
    const l = limiter(logger, `redis://127.0.0.1:${await closedPort()}`);
    expect(await l.ready()).toBe(false);
    const rule = { max: 2, windowSeconds: 60 };
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push((await l.hit('login:9.9.9.9', rule)).allowed);
    expect(decisions).toEqual([true, true, false, false]); // still limited: not failing open
    const warnings = lines.filter((line) => line.includes('ratelimit:redis:down'));
    expect(warnings).toHaveLength(1);
  });

  it('createRateLimiter picks Redis when a URL is given and memory otherwise', async () => {
    const silent = pino({ level: 'silent' });
    const memory = await createRateLimiter({ logger: silent });
    expect(memory).toBeInstanceOf(MemoryRateLimiter);
    await memory.close();
    const redis = await createRateLimiter({ redisUrl: url, logger: silent });
    expect(redis).toBeInstanceOf(RedisRateLimiter);
    opened.push(redis as RedisRateLimiter);
    expect(
      (await redis.hit(`test:${randomBytes(4).toString('hex')}`, { max: 1, windowSeconds: 5 })).allowed,
    ).toBe(true);
  });

  it('closes idempotently', async () => {
    const l = limiter();
    await l.ready();
    await Promise.all([l.close(), l.close()]);
    await l.close();
  });
});

/** A throwaway redis-server child on its own port, so a test can stop and restart it. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  try {
    await expect.poll(() => probe.ping().catch(() => 'down'), { timeout: 5000, interval: 100 }).toBe('PONG');
  } finally {
    probe.disconnect();
  }
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describeWithService('TEST_REDIS_URL', 'RedisRateLimiter across a Redis outage', () => {
  const children: ChildProcess[] = [];
  afterAll(async () => {
    await Promise.all(children.map(stop));
  });

  it.skipIf(!hasRedisServer())(
    'falls back while Redis is down and shares counters again once it is back',
    async () => {
      const port = await closedPort();
      children.push(await startRedis(port));
      const { logger, lines } = capturingLogger();
      const l = new RedisRateLimiter({
        url: `redis://127.0.0.1:${port}`,
        logger,
        connectTimeoutMs: 500,
        commandTimeoutMs: 300,
      });
      try {
        expect(await l.ready()).toBe(true);
        const rule = { max: 100, windowSeconds: 60 };
        expect((await l.hit('k', rule)).remaining).toBe(99);
        await stop(children[0]!);
        // Served from memory while Redis is gone: a fresh in-process window.
        await expect.poll(async () => (await l.hit('k', rule)).remaining).toBe(98);
        expect(lines.some((line) => line.includes('ratelimit:redis:down'))).toBe(true);
        children.push(await startRedis(port));
        // Back on Redis: its (empty, restarted) counter answers again and recovery is logged.
        await expect
          .poll(
            async () => (
              await l.hit('k', rule),
              lines.some((line) => line.includes('ratelimit:redis:recovered'))
            ),
            {
              timeout: 10_000,
              interval: 200,
            },
          )
          .toBe(true);
      } finally {
        await l.close();
      }
      for (const child of children) await stop(child);
      expect(children.every((c) => c.exitCode !== null || c.signalCode !== null)).toBe(true);
    },
  );
});

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}
