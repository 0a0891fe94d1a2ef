import { request } from 'node:http';
import { afterAll, expect, it } from 'vitest';
import type { Db } from '../../../src/db/index.js';
import { adminToken, Cluster, countingTarget, type ClusterProcess } from '../../helpers/cluster.js';
import { freshPostgres } from '../../helpers/db.js';
import { describeWithService } from '../../helpers/services.js';

const TASKS = 1000;

/** POST from a chosen loopback address: the login rule is keyed on the client address. */
function loginFrom(baseUrl: string, localAddress: string): Promise<number> {
  const url = new URL('/api/v1/auth/login', baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ username: 'admin', password: 'wrong-password-123' }));
  });
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describeWithService(
  'TEST_DATABASE_URL',
  'api and worker processes on one PostgreSQL and Redis',
  (baseUrl) => {
    const redisUrl = process.env.TEST_REDIS_URL;
    let pg: { db: Db; url: string; close: () => Promise<void> } | undefined;
    let cluster: Cluster | undefined;
    let target: Awaited<ReturnType<typeof countingTarget>> | undefined;

    afterAll(async () => {
      await cluster?.stop();
      target?.server.close();
      await pg?.close();
    });

    it('2 api + 2 worker processes: 1,000 tasks through both APIs all complete, a SIGKILLed worker’s tasks are re-delivered, state and rate limits are shared', async () => {
      if (!redisUrl) throw new Error('TEST_REDIS_URL is needed: rate limits are shared through Redis');
      pg = await freshPostgres(baseUrl);
      target = await countingTarget(100);
      cluster = new Cluster(
        pg.url,
        {
          queue: { leaseSeconds: 3, backoffBaseMs: 100 },
          worker: { concurrency: 8, drainTimeoutMs: 1000 },
          rateLimit: {
            login: { max: 6, windowSeconds: 600 },
            expensive: { max: 100_000, windowSeconds: 60 },
          },
        },
        redisUrl,
      );
      // The first api process creates the admin; the others start beside it.
      const apiA = await cluster.start('api');
      const [apiB, doomed, survivor] = (await Promise.all([
        cluster.start('api'),
        cluster.start('worker'),
        cluster.start('worker'),
      ])) as [ClusterProcess, ClusterProcess, ClusterProcess];
      const apis = [apiA, apiB];
      const tokens = await Promise.all(apis.map((a) => adminToken(a.url!)));

      // 1,000 tasks, alternately through each api process, 16 in flight.
      const submitted: Array<{ id: string; via: number }> = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < TASKS) {
            const n = next++;
            const via = n % 2;
            const res = await fetch(`${apis[via]!.url}/api/v1/tasks`, {
              method: 'POST',
              headers: { authorization: `Bearer ${tokens[via]}`, 'content-type': 'application/json' },
              body: JSON.stringify({ type: 'http.check', payload: { url: `${target!.url}?n=${n}` } }),
            });
            expect(res.status, `task ${n}`).toBe(202);
            submitted.push({ id: ((await res.json()) as { id: string }).id, via });
          }
        }),
      );
      expect(submitted).toHaveLength(TASKS);

      // SIGKILL one worker while it holds leases; remember which tasks it was running.
      const owner = `:${doomed.child.pid}:`;
      const held = async () =>
        (
          await pg!.db.query<{ id: string }>(
            `SELECT id FROM tasks WHERE status = 'running' AND position($1 in lease_owner) > 0`,
            [owner],
          )
        ).rows.map((r) => r.id);
      await waitUntil('the doomed worker to hold leases', async () => (await held()).length > 0, 120_000);
      process.kill(-doomed.child.pid!, 'SIGKILL');
      const orphaned = await held();
      expect(orphaned.length).toBeGreaterThan(0);

      await waitUntil(
        'every task to complete',
        async () =>
          (
            await pg!.db.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM tasks WHERE status = 'completed'`,
            )
          ).rows[0]!.n === TASKS,
        600_000,
      );

      const rows = (
        await pg.db.query<{ id: string; status: string; attempts: number; lease_owner: string | null }>(
          'SELECT id, status, attempts, lease_owner FROM tasks',
        )
      ).rows;
      expect(rows).toHaveLength(TASKS);
      expect(rows.every((r) => r.status === 'completed')).toBe(true);
      // The killed worker's tasks were re-delivered: a second attempt, finished by the survivor.
      for (const id of orphaned) {
        const row = rows.find((r) => r.id === id)!;
        expect(row.attempts, id).toBeGreaterThanOrEqual(2);
      }
      // Every task reached the target at least once and never more often than it was attempted.
      const attemptsOf = new Map(rows.map((r) => [r.id, r.attempts]));
      expect(target.hits.size).toBe(TASKS);
      const byN = submitted.map((s, i) => ({ ...s, n: i }));
      void byN;
      const totalHits = [...target.hits.values()].reduce((a, b) => a + b, 0);
      const totalAttempts = [...attemptsOf.values()].reduce((a, b) => a + b, 0);
      expect(totalHits).toBeLessThanOrEqual(totalAttempts);
      expect(totalHits).toBeGreaterThanOrEqual(TASKS);
      expect(survivor.child.exitCode).toBeNull();

      // A task submitted through one api process is seen completed, with its result, through the other.
      for (const s of submitted.slice(0, 20)) {
        const other = 1 - s.via;
        const res = await fetch(`${apis[other]!.url}/api/v1/tasks/${s.id}`, {
          headers: { authorization: `Bearer ${tokens[other]}` },
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ id: s.id, status: 'completed', result: { status: 200 } });
      }

      // Rate limits are shared through Redis: 6 login attempts in all, whichever process gets them.
      const from = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push(await loginFrom(apis[i % 2]!.url!, from));
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    }, 900_000);
  },
);
