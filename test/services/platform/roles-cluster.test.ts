import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Db } from '../../../src/db/index.js';
import { startOllamaDouble, type ChatBody, type OllamaDouble } from '../../doubles/ollama-double.js';
import { EVERYTHING } from '../../fixtures/mcp/servers.js';
import { adminToken, Cluster, countingTarget, freePort, type ClusterProcess } from '../../helpers/cluster.js';
import { freshPostgres } from '../../helpers/db.js';
import { describeWithService } from '../../helpers/services.js';
import { dataOf, openSse, type SseClient } from '../../helpers/sse.js';

const TASKS = 1000;
/** Every AGENT_EVERY-th task is an agent task that calls server-everything's echo via the gateway. */
const AGENT_EVERY = 10;
const GATEWAY_TOKEN = 'roles-cluster-internal-gateway-credential-0123456789';

/** The model's side of every agent task: call echo with the prompt, then answer with its result. */
function echoThenAnswer(body: ChatBody) {
  const last = body.messages.at(-1)!;
  if (last.role === 'tool') return { content: `done: ${last.content}` };
  const prompt = body.messages.find((m) => m.role === 'user')?.content ?? '';
  return { tool_calls: [{ name: 'everything__echo', arguments: { message: prompt } }] };
}

/** Sum of a counter's samples whose label set contains every given `key="value"`. */
function sumOf(metrics: string, name: string, labels: string[]): number {
  return metrics
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && labels.every((x) => l.includes(x)))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

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
  'api, worker and gateway processes on one PostgreSQL and Redis',
  (baseUrl) => {
    const redisUrl = process.env.TEST_REDIS_URL;
    let pg: { db: Db; url: string; close: () => Promise<void> } | undefined;
    let cluster: Cluster | undefined;
    let target: Awaited<ReturnType<typeof countingTarget>> | undefined;
    let double: OllamaDouble | undefined;
    let stream: SseClient | undefined;

    afterAll(async () => {
      stream?.close();
      await cluster?.stop();
      target?.server.close();
      await double?.close();
      await pg?.close();
    });

    it('2 api + 2 worker + 1 gateway processes: 1,000 tasks (agent tasks calling an MCP tool through the gateway) through both APIs all complete, a SIGKILLed worker’s tasks are re-delivered, events, state and rate limits are shared', async () => {
      if (!redisUrl) throw new Error('TEST_REDIS_URL is needed: rate limits are shared through Redis');
      pg = await freshPostgres(baseUrl);
      target = await countingTarget(100);
      double = await startOllamaDouble({ models: ['tinyllama:latest'], numParallel: 16 });
      // More replies than turns: a re-delivered agent task may ask again; leftovers are harmless.
      double.script(Array.from({ length: (TASKS / AGENT_EVERY) * 4 }, () => echoThenAnswer));
      cluster = new Cluster(
        pg.url,
        {
          queue: { leaseSeconds: 3, backoffBaseMs: 100 },
          worker: { concurrency: 8, drainTimeoutMs: 1000 },
          rateLimit: {
            login: { max: 6, windowSeconds: 600 },
            expensive: { max: 100_000, windowSeconds: 60 },
          },
          llm: { ollamaHost: double.url, defaultModel: 'tinyllama' },
          mcp: { gatewayToken: GATEWAY_TOKEN },
        },
        redisUrl,
      );
      const mcpConfig = path.join(cluster.cwd, 'gateway-mcp.json');
      writeFileSync(
        mcpConfig,
        JSON.stringify({ mcpServers: { everything: { command: process.execPath, args: [EVERYTHING] } } }),
      );
      // The first api process creates the admin; the others start beside it.
      const apiA = await cluster.start('api');
      const gateway = await cluster.start('gateway', { SUTAZAI_MCP_CONFIG: mcpConfig });
      const viaGateway = { SUTAZAI_MCP_GATEWAY_URL: gateway.url! };
      const [apiB, doomed, survivor] = (await Promise.all([
        cluster.start('api', viaGateway),
        cluster.start('worker', viaGateway),
        cluster.start('worker', { ...viaGateway, SUTAZAI_WORKER_METRICS_PORT: String(await freePort()) }),
      ])) as [ClusterProcess, ClusterProcess, ClusterProcess];
      const apis = [apiA, apiB];
      const tokens = await Promise.all(apis.map((a) => adminToken(a.url!)));
      const agent = await fetch(`${apiA.url}/api/v1/agents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'echoer',
          system_prompt: 'Echo the task with the echo tool.',
          model: 'tinyllama',
          tools: ['everything__echo'],
        }),
      });
      expect(agent.status).toBe(201);
      // A client of api B sees the events of tasks submitted through api A (LISTEN/NOTIFY).
      stream = await openSse(`${apiB.url}/api/v1/events`, { authorization: `Bearer ${tokens[1]}` });
      expect(stream.status).toBe(200);

      // 1,000 tasks, alternately through each api process, 16 in flight.
      const submitted: Array<{ id: string; via: number; n: number }> = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < TASKS) {
            const n = next++;
            const via = n % 2;
            const task =
              n % AGENT_EVERY === 0
                ? { type: 'agent.run', agent: 'echoer', payload: { prompt: `agent-${n}` } }
                : { type: 'http.check', payload: { url: `${target!.url}?n=${n}` } };
            const res = await fetch(`${apis[via]!.url}/api/v1/tasks`, {
              method: 'POST',
              headers: { authorization: `Bearer ${tokens[via]}`, 'content-type': 'application/json' },
              body: JSON.stringify(task),
            });
            expect(res.status, `task ${n}`).toBe(202);
            submitted.push({ id: ((await res.json()) as { id: string }).id, via, n });
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
        await pg.db.query<{
          id: string;
          status: string;
          attempts: number;
          lease_owner: string | null;
          result: { answer?: string } | null;
        }>('SELECT id, status, attempts, lease_owner, result FROM tasks')
      ).rows;
      expect(rows).toHaveLength(TASKS);
      expect(rows.every((r) => r.status === 'completed')).toBe(true);
      // The killed worker's tasks were re-delivered: a second attempt, finished by the survivor.
      for (const id of orphaned) {
        const row = rows.find((r) => r.id === id)!;
        expect(row.attempts, id).toBeGreaterThanOrEqual(2);
      }
      // Every http.check task reached the target at least once and never more often than attempted.
      const rowOf = new Map(rows.map((r) => [r.id, r]));
      const checks = submitted.filter((s) => s.n % AGENT_EVERY !== 0);
      const agents = submitted.filter((s) => s.n % AGENT_EVERY === 0);
      expect(target.hits.size).toBe(checks.length);
      const totalHits = [...target.hits.values()].reduce((a, b) => a + b, 0);
      const attemptsOf = (list: typeof submitted) => list.reduce((n, s) => n + rowOf.get(s.id)!.attempts, 0);
      expect(totalHits).toBeLessThanOrEqual(attemptsOf(checks));
      expect(totalHits).toBeGreaterThanOrEqual(checks.length);
      expect(survivor.child.exitCode).toBeNull();

      // Every agent task called server-everything's echo in the gateway process and answered with
      // its result; the gateway ran each call at most once per attempt.
      for (const s of agents) expect(rowOf.get(s.id)!.result?.answer, s.id).toBe(`done: Echo: agent-${s.n}`);
      const gatewayMetrics = await (await fetch(`${gateway.url}/metrics`)).text();
      // Only the agent tasks call tools on `everything` here. Not filtered by tool: a call made
      // while the server's tool list is being refetched is labelled `other` (bounded labels).
      const echoCalls = sumOf(gatewayMetrics, 'sutazai_mcp_call_duration_seconds_count', [
        'server="everything"',
        'method="tools/call"',
        'outcome="ok"',
      ]);
      expect(echoCalls).toBeGreaterThanOrEqual(agents.length);
      expect(echoCalls).toBeLessThanOrEqual(attemptsOf(agents));

      // Task events of tasks submitted through api A reached the client connected to api B.
      const completedOnB = new Set(
        stream.frames
          .filter((f) => f.event === 'task' && dataOf(f).state === 'completed')
          .map((f) => dataOf(f).id as string),
      );
      expect(stream.frames.some((f) => f.event === 'reconnect' || f.event === 'reset')).toBe(false);
      const missing = submitted.filter((s) => s.via === 0 && !completedOnB.has(s.id));
      expect(missing.map((s) => s.id)).toEqual([]);

      // The worker's own listener and api B report the gateway as an up dependency.
      for (const url of [survivor.url!, apiB.url!]) {
        const detailed = (await (await fetch(`${url}/api/v1/health/detailed`)).json()) as {
          checks: Array<{ name: string; status: string }>;
        };
        expect(
          detailed.checks.find((c) => c.name === 'mcp-gateway'),
          url,
        ).toMatchObject({ status: 'up' });
      }
      const workerMetrics = await (await fetch(`${survivor.url}/metrics`)).text();
      expect(workerMetrics).toContain('sutazai_task_outcomes_total');
      // The worker's listener is health and metrics only; the gateway serves no task API.
      expect((await fetch(`${survivor.url}/api/v1/tasks`)).status).toBe(404);
      expect((await fetch(`${gateway.url}/api/v1/tasks`)).status).toBe(404);

      // A task submitted through one api process is seen completed, with its result, through the other.
      for (const s of checks.slice(0, 20)) {
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
