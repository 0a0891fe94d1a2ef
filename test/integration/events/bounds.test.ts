import http from 'node:http';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub } from '../../../src/events/index.js';
import { buildHttpApp } from '../../../src/http/app.js';
import { MemoryRateLimiter } from '../../../src/http/rate-limit.js';
import { eventsRoutes } from '../../../src/http/routes/events.js';
import type { App } from '../../../src/http/types.js';
import { openSse, parseFrame } from '../../helpers/sse.js';

/** The events route over a hub the test publishes to, on a real socket, auth off (loopback). */
describe('event stream bounds', () => {
  let hub: EventHub;
  let app: App;
  let base: string;
  beforeAll(async () => {
    hub = new EventHub({
      replaySize: 50,
      bufferBytes: 64 * 1024,
      maxStreams: 3,
      maxStreamsPerUser: 2,
      reconnectRetryMs: 1234,
    });
    app = await buildHttpApp(
      {
        logger: pino({ level: 'silent' }),
        bodyLimitBytes: 1 << 20,
        requestTimeoutMs: 30_000,
        authEnabled: false,
        authenticator: { authenticate: async () => undefined },
        rateLimiter: new MemoryRateLimiter(),
        rateRules: { login: { max: 10, windowSeconds: 60 }, expensive: { max: 100, windowSeconds: 60 } },
      },
      [eventsRoutes({ hub, heartbeatMs: 60_000, reconnectRetryMs: 1234 })],
    );
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app?.close());

  it('drops a consumer that stops reading with a reconnect event carrying the retry hint', async () => {
    const url = new URL('/api/v1/events', base);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(url, resolve).on('error', reject),
    );
    expect(res.statusCode).toBe(200);
    res.pause(); // a slow consumer: the server's buffers fill
    const dropped = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (hub.streams === 0) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    const big = 'x'.repeat(8 * 1024);
    // Bounded: the kernel's socket buffers plus our cap are far below this.
    for (let i = 0; i < 20_000 && hub.streams > 0; i++) {
      hub.publish({ type: 'health', data: { name: `p${i}`, pad: big }, audience: { kind: 'all' } });
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    await dropped;
    res.resume();
    let text = '';
    res.setEncoding('utf8');
    for await (const chunk of res) text += chunk as string;
    const blocks = text.split('\n\n').filter((b) => b.length > 0);
    const last = parseFrame(blocks.at(-1)!);
    expect(last.event).toBe('reconnect');
    expect(JSON.parse(last.data!)).toEqual({ retry_ms: 1234 });
  });

  it('caps streams per user and in total with 429 and Retry-After', async () => {
    const a = await openSse(`${base}/api/v1/events`);
    const b = await openSse(`${base}/api/v1/events`);
    const third = await fetch(`${base}/api/v1/events`);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('5');
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe(
      'SUTAZAI_ERR_EVENTS_TOO_MANY_STREAMS',
    );
    a.close();
    b.close();
    await a.ended;
    await b.ended;
  });

  it('answers reset for an id older than the replay ring', async () => {
    for (let i = 0; i < 60; i++) hub.publish({ type: 'health', data: { i }, audience: { kind: 'all' } });
    expect(hub.resumePlan(`${hub.epoch}.1`)).toEqual({ kind: 'reset' });
    const recent = hub.publish({ type: 'health', data: {}, audience: { kind: 'all' } });
    expect(hub.resumePlan(recent)).toEqual({ kind: 'replay', after: Number(recent.split('.')[1]) });
  });
});

describe('EventHub filtering', () => {
  it('sends owner events only to the owner and admins, admin events only to admins', () => {
    const hub = new EventHub({
      replaySize: 10,
      bufferBytes: 1 << 20,
      maxStreams: 10,
      maxStreamsPerUser: 10,
      reconnectRetryMs: 1,
    });
    const got: Record<string, string[]> = { a: [], b: [], root: [] };
    const sink = (k: string) => ({
      write: (c: string) => void got[k]!.push(c),
      buffered: () => 0,
      end: () => undefined,
    });
    hub.subscribe({ admin: false, ownerId: 'A' }, 'A', sink('a'));
    hub.subscribe({ admin: false, ownerId: 'B' }, 'B', sink('b'));
    hub.subscribe({ admin: true, ownerId: 'R' }, 'R', sink('root'));
    hub.publish({ type: 'task', data: { id: 't1' }, audience: { kind: 'owner', ownerId: 'A' } });
    hub.publish({ type: 'doctor', data: {}, audience: { kind: 'admin' } });
    hub.publish({ type: 'mcp', data: {}, audience: { kind: 'all' } });
    const kinds = (k: string) => got[k]!.map((c) => parseFrame(c).event);
    expect(kinds('a')).toEqual(['task', 'mcp']);
    expect(kinds('b')).toEqual(['mcp']);
    expect(kinds('root')).toEqual(['task', 'doctor', 'mcp']);
  });
});
