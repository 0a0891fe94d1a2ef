/**
 * Agent-task throughput at the default per-model limit of 2 with 50 ms of simulated model latency
 * per turn. Each task is two model turns (a time.now tool call, then the answer), so the ceiling
 * the limit allows is 2 slots / 0.05 s = 40 turns/s. The runner handler is called in-process (no
 * queue), 16 tasks at a time, on in-memory PGlite with every step journaled. The double runs as its
 * own process (like Ollama), so PGlite's work on this event loop does not delay its timers.
 *
 *   npx tsx bench/llm-agent-throughput.ts [tasks=100]
 *   BENCH_DATABASE_URL=postgres://127.0.0.1:5432/test npx tsx bench/llm-agent-throughput.ts [tasks=100]
 */
import pino from 'pino';
import { createAgentRunner } from '../src/agents/runner/index.js';
import { AgentBudgetsSchema, HttpFetchToolSchema, LlmConfigSchema } from '../src/config/schema.js';
import { migrate, openDb } from '../src/db/index.js';
import { freshPostgres } from '../test/helpers/db.js';
import { insertRunningTask } from '../test/helpers/tasks.js';
import { createLlmService } from '../src/llm/index.js';
import { createBuiltinTools } from '../src/tools/builtin/index.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const tasks = Number(process.argv[2] ?? 100);
const latencyMs = 50;
const log = pino({ level: 'silent' });
const double = await spawnDouble();
// BENCH_DATABASE_URL: a real PostgreSQL (fresh schema, dropped at the end); otherwise PGlite in memory.
const pg = process.env.BENCH_DATABASE_URL ? await freshPostgres(process.env.BENCH_DATABASE_URL) : undefined;
const db = pg?.db ?? (await openDb({ dataDir: '', inMemory: true }));
if (!pg) await migrate(db);
const llm = createLlmService({
  config: { llm: LlmConfigSchema.parse({ ollamaHost: double.url, modelParallel: 2 }) },
  logger: log,
});
// Time each model call as the runner sees it (slot wait + turn), to show where the wall time goes.
let callMs = 0;
const timedLlm = {
  defaultModel: llm.defaultModel,
  chat: async (...args: Parameters<typeof llm.chat>) => {
    const t0 = performance.now();
    try {
      return await llm.chat(...args);
    } finally {
      callMs += performance.now() - t0;
    }
  },
};
const runner = createAgentRunner({
  llm: timedLlm,
  tools: createBuiltinTools(HttpFetchToolSchema.parse({})),
  logger: log,
  budgets: AgentBudgetsSchema.parse({}),
});
const { rows } = await db.query<{ id: string }>(
  `INSERT INTO agents (name, model, tools) VALUES ('bench', 'tinyllama', '{time.now}') RETURNING id`,
);
const agentId = rows[0]!.id;
/** The double as a child process, in its "tool then answer" mode: two model turns per task. */
async function spawnDouble() {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/doubles/ollama-double.ts',
      '--port',
      '0',
      '--latency',
      String(latencyMs),
      '--parallel',
      '8',
      '--mode',
      'tool-then-answer',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // Never leave the double behind, even when the bench throws.
  process.on('exit', () => child.kill('SIGKILL'));
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const url = /http:\/\/[\d.:]+/.exec(line.toString())![0];
  return { url, child };
}

const makeTask = () => insertRunningTask(db, agentId, { prompt: 'what time is it' });

async function chatRequests(): Promise<number> {
  const body = (await (await fetch(`${double.url}/_double/counters`)).json()) as { chatRequests: number };
  return body.chatRequests;
}

/**
 * Baseline measured in the same run: the same number of model turns sent straight through the
 * LLM service at the limit of 2 (no runner, no database, no tools). This is what the limit and the
 * double's real per-turn time allow on this machine; 40 turns/s is the theoretical ceiling.
 */
async function baselineTurnsPerSecond(turns: number): Promise<number> {
  const t0 = performance.now();
  let left = turns;
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (left-- > 0)
        await llm.chat({ model: 'tinyllama', messages: [{ role: 'user', content: 'what time is it' }] });
    }),
  );
  return turns / ((performance.now() - t0) / 1000);
}

const baseline = await baselineTurnsPerSecond(tasks * 2);
const before = await chatRequests();
const records = await Promise.all(Array.from({ length: tasks }, makeTask));
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (next < records.length) {
      const task = records[next++]!;
      await runner({ task, signal: new AbortController().signal, checkpoint: async () => {}, db, log });
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const counters = (await (await fetch(`${double.url}/_double/counters`)).json()) as {
  chatRequests: number;
  maxConcurrent: Record<string, number>;
};
const turns = counters.chatRequests - before;
const rate = turns / seconds;
console.log(`database: ${pg ? 'PostgreSQL' : 'PGlite in memory'}`);
console.log(`agent tasks: ${tasks}, model turns: ${turns}, wall: ${seconds.toFixed(2)} s`);
console.log(`throughput: ${rate.toFixed(1)} turns/s, ${(tasks / seconds).toFixed(1)} tasks/s`);
console.log(
  `ceiling at limit 2 and ${latencyMs} ms/turn: 40 turns/s -> ${((rate / 40) * 100).toFixed(1)} % of it (target >= 90 %)`,
);
console.log(
  `baseline (same run, LLM service alone at limit 2): ${baseline.toFixed(1)} turns/s -> runner reaches ${((rate / baseline) * 100).toFixed(1)} % of it`,
);
console.log(
  `mean model call seen by the runner (incl. slot wait): ${(callMs / turns).toFixed(1)} ms; ` +
    `share of task time spent outside model calls: ${(100 * (1 - callMs / (16 * seconds * 1000))).toFixed(1)} %`,
);
console.log(
  `max concurrent requests seen by the double for the model: ${counters.maxConcurrent['tinyllama:latest']}`,
);
await llm.close();
if (pg) await pg.close();
else await db.close();
double.child.kill('SIGTERM');
await once(double.child, 'exit');
