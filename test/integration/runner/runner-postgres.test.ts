import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAgentRunner, loadSteps, setAgentStatus } from '../../../src/agents/runner/index.js';
import { AgentBudgetsSchema, HttpFetchToolSchema } from '../../../src/config/schema.js';
import type { Db } from '../../../src/db/index.js';
import type { LlmService } from '../../../src/llm/index.js';
import { TaskCancelledError } from '../../../src/tasks/types.js';
import { createBuiltinTools } from '../../../src/tools/builtin/index.js';
import { freshPostgres } from '../../helpers/db.js';
import { insertRunningTask } from '../../helpers/tasks.js';
import { describeWithService } from '../../helpers/services.js';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollama-double.js';
import { service } from '../llm/helpers.js';

describeWithService('TEST_DATABASE_URL', 'agent runner on PostgreSQL', (address) => {
  const log = pino({ level: 'silent' });
  let pg: { db: Db; close: () => Promise<void> };
  let double: OllamaDouble;
  let llm: LlmService;

  beforeAll(async () => {
    pg = await freshPostgres(address, 4);
    double = await startOllamaDouble();
    llm = service(double.url);
  });
  afterAll(async () => {
    await llm?.close();
    await double?.close();
    await pg?.close();
  });

  it('journals steps and resumes a second attempt without repeating the tool call', async () => {
    const db = pg.db;
    const { rows: agents } = await db.query<{ id: string }>(
      `INSERT INTO agents (name, model, tools) VALUES ('clock', 'tinyllama', '{time.*}') RETURNING id`,
    );
    const agentId = agents[0]!.id;
    const task = await insertRunningTask(db, agentId, { prompt: 'time?' });
    let toolRuns = 0;
    const builtin = createBuiltinTools(HttpFetchToolSchema.parse({}));
    const tools = {
      listTools: () => builtin.listTools(),
      callTool: async (...args: Parameters<typeof builtin.callTool>) => (
        toolRuns++,
        builtin.callTool(...args)
      ),
    };
    const runner = createAgentRunner({ llm, tools, logger: log, budgets: AgentBudgetsSchema.parse({}) });
    double.script([
      { tool_calls: [{ name: 'time.now', arguments: { timezone: 'UTC' } }] },
      { content: 'It is now.' },
    ]);
    const signal = new AbortController().signal;
    const lose = async () => {
      if ((await loadSteps(db, task.id)).some((s) => s.kind === 'tool'))
        throw new TaskCancelledError(task.id);
    };
    await expect(runner({ task, signal, checkpoint: lose, db, log })).rejects.toBeInstanceOf(
      TaskCancelledError,
    );
    const result = await runner({
      task: { ...task, attempts: 2 },
      signal,
      checkpoint: async () => {},
      db,
      log,
    });
    expect(result).toMatchObject({ answer: 'It is now.', steps: 3 });
    expect(toolRuns).toBe(1);
    await setAgentStatus(db, agentId, 'busy');
    const { rows: status } = await db.query<{ status: string; last_heartbeat: Date | null }>(
      'SELECT status, last_heartbeat FROM agents WHERE id = $1',
      [agentId],
    );
    expect(status[0]).toMatchObject({ status: 'busy' });
    expect(status[0]!.last_heartbeat).not.toBeNull();
  });
});
