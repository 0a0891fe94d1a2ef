import type { Logger } from 'pino';
import type { AgentBudgets } from '../../config/schema.js';
import type { Queryable } from '../../db/index.js';
import {
  LlmError,
  type ChatMessage,
  type ChatOptions,
  type ChatOutcome,
  type ChatRequest,
  type ToolCall,
  type Usage,
} from '../../llm/index.js';
import { agentSteps } from '../../metrics/index.js';
import {
  BackendUnavailableError,
  PermanentTaskError,
  requesterOf,
  type TaskContext,
  type TaskHandler,
  type TaskRecord,
} from '../../tasks/types.js';
import { ToolBackendUnavailableError, type ToolDescriptor, type ToolProvider } from '../../tools/types.js';
import { routeTask } from '../routing/index.js';
import { setAgentStatus } from './agent-status.js';
import { loadSteps, saveStep, type Step } from './steps.js';
import { SchemaValidators, ToolStepRunner } from './tool-step.js';

/**
 * The handler for `agent.run` tasks and tasks that name an agent. The loop:
 *   model turn -> tool_calls? -> run each tool (validated) -> role "tool" messages -> model again
 * until the model answers without tool calls, or a budget (steps, tokens, wall clock) runs out.
 * Every completed step is journaled in task_steps; a re-delivered task replays the journal and
 * resumes after the last completed step, so completed tool calls are not repeated.
 */
export interface AgentRunnerDeps {
  llm: { defaultModel: string; chat(request: ChatRequest, options?: ChatOptions): Promise<ChatOutcome> };
  tools: ToolProvider;
  logger: Logger;
  budgets: AgentBudgets;
  /** Defaults to ctx.db. */
  db?: Queryable;
}

export interface AgentRunResult {
  answer: string;
  usage: Usage;
  steps: number;
}

interface AgentRow {
  id: string;
  name: string;
  model: string | null;
  system_prompt: string;
  tools: string[];
}

interface RunState {
  messages: ChatMessage[];
  usage: Usage;
  modelTurns: number;
  seq: number;
  pending: ToolCall[];
  answer: string | undefined;
}

/**
 * Failures that say the model backend is down or refusing work for now: the task is put back for
 * when it may answer (breaker half-open time) without spending an attempt. A timeout or a 5xx
 * may be the task's own doing (a prompt that crashes the model) and spends an attempt.
 */
const BACKEND_DOWN: ReadonlySet<LlmError['kind']> = new Set([
  'circuit_open',
  'network',
  'busy',
  'limiter_full',
]);

export function createAgentRunner(deps: AgentRunnerDeps): TaskHandler {
  const validators = new SchemaValidators();
  return async (ctx) => {
    const db = deps.db ?? ctx.db;
    const agent = await resolveAgent(db, ctx.task);
    const log = ctx.log.child({ agent: agent.name, taskId: ctx.task.id, attempt: ctx.task.attempts });
    await setAgentStatus(db, agent.id, 'busy').catch(() => undefined);
    try {
      const result = await runLoop(deps, validators, db, ctx, agent, log);
      await setAgentStatus(db, agent.id, 'idle').catch(() => undefined);
      return result;
    } catch (err) {
      const status = ctx.signal.aborted ? 'idle' : 'error';
      await setAgentStatus(db, agent.id, status).catch(() => undefined);
      if (err instanceof LlmError && err.permanent) throw new PermanentTaskError(err.message, { cause: err });
      if (err instanceof LlmError && BACKEND_DOWN.has(err.kind))
        throw new BackendUnavailableError(
          err.backend,
          `${err.backend}: ${err.message}`,
          err.retryAfter === undefined ? undefined : err.retryAfter * 1000,
          { cause: err },
        );
      if (err instanceof ToolBackendUnavailableError)
        throw new BackendUnavailableError(err.backend, err.message, undefined, { cause: err });
      throw err;
    }
  };
}

async function resolveAgent(db: Queryable, task: TaskRecord): Promise<AgentRow> {
  const payload = (task.payload ?? {}) as { agent_id?: unknown; agent?: unknown };
  const cols = 'id, name, model, system_prompt, tools';
  let id = task.agentId ?? (typeof payload.agent_id === 'string' ? payload.agent_id : undefined);
  if (!id && typeof payload.agent === 'string') {
    const { rows } = await db.query<AgentRow>(`SELECT ${cols} FROM agents WHERE name = $1`, [payload.agent]);
    if (!rows[0]) throw new PermanentTaskError(`agent ${payload.agent} does not exist`);
    return rows[0];
  }
  if (!id) id = (await routeTask(db, task))?.agentId;
  if (!id) throw new PermanentTaskError('the task names no agent and no agent matches it');
  const { rows } = await db.query<AgentRow>(`SELECT ${cols} FROM agents WHERE id = $1`, [id]);
  if (!rows[0]) throw new PermanentTaskError(`agent ${id} does not exist`);
  return rows[0];
}

/** The user message the agent works from: payload.prompt (or message/input) plus any other fields. */
export function taskPrompt(task: TaskRecord): string {
  const payload = (task.payload ?? {}) as Record<string, unknown>;
  const key = ['prompt', 'message', 'input'].find((k) => typeof payload[k] === 'string');
  const rest = Object.fromEntries(
    Object.entries(payload).filter(([k]) => k !== key && k !== 'agent' && k !== 'agent_id'),
  );
  const context = Object.keys(rest).length
    ? `\n\nTask data (${task.type}):\n${JSON.stringify(rest, null, 2)}`
    : '';
  return key ? `${payload[key] as string}${context}` : `Task ${task.type}${context}`;
}

async function offeredTools(tools: ToolProvider, allowed: string[]): Promise<Map<string, ToolDescriptor>> {
  if (allowed.length === 0) return new Map();
  const matches = (name: string) =>
    allowed.some((a) => (a.endsWith('*') ? name.startsWith(a.slice(0, -1)) : a === name));
  const all = await tools.listTools().catch((err: unknown) => {
    // With a tool backend down, the tools that did answer are enough for an agent that names
    // only those; an agent that needs the missing backend (or matches by prefix) waits for it.
    if (!(err instanceof ToolBackendUnavailableError)) throw err;
    const names = new Set(err.available.map((t) => t.name));
    if (allowed.every((a) => !a.endsWith('*') && names.has(a))) return err.available;
    throw err;
  });
  return new Map(all.filter((t) => matches(t.name)).map((t) => [t.name, t]));
}

function replay(base: ChatMessage[], steps: Step[]): RunState {
  const state: RunState = {
    messages: [...base],
    usage: { prompt_tokens: 0, completion_tokens: 0 },
    modelTurns: 0,
    seq: 0,
    pending: [],
    answer: undefined,
  };
  for (const step of steps) {
    state.seq = step.seq + 1;
    if (step.kind === 'model') {
      state.messages.push(step.message);
      state.usage.prompt_tokens += step.promptTokens;
      state.usage.completion_tokens += step.completionTokens;
      state.modelTurns += 1;
      state.pending = [...(step.message.tool_calls ?? [])];
      state.answer = state.pending.length ? undefined : step.message.content;
    } else {
      state.messages.push(toolMessage(step.toolCallId, step.toolName, step.result.content));
      state.pending = state.pending.filter((c) => c.id !== step.toolCallId);
    }
  }
  return state;
}

function toolMessage(id: string, name: string, content: string): ChatMessage {
  return { role: 'tool', content, tool_call_id: id, tool_name: name };
}

function checkBudgets(budgets: AgentBudgets, state: RunState, startedAt: number): void {
  if (state.modelTurns >= budgets.maxSteps)
    throw new PermanentTaskError(`step budget of ${budgets.maxSteps} model turns used up`);
  const tokens = state.usage.prompt_tokens + state.usage.completion_tokens;
  if (tokens >= budgets.maxTokens)
    throw new PermanentTaskError(`token budget of ${budgets.maxTokens} used up (${tokens})`);
  if (Date.now() - startedAt > budgets.maxWallMs)
    throw new PermanentTaskError(`wall-clock budget of ${budgets.maxWallMs} ms used up`);
}

async function runLoop(
  deps: AgentRunnerDeps,
  validators: SchemaValidators,
  db: Queryable,
  ctx: TaskContext,
  agent: AgentRow,
  log: Logger,
): Promise<AgentRunResult> {
  const base: ChatMessage[] = [
    ...(agent.system_prompt ? [{ role: 'system' as const, content: agent.system_prompt }] : []),
    { role: 'user', content: taskPrompt(ctx.task) },
  ];
  const steps = await loadSteps(db, ctx.task.id);
  const state = replay(base, steps);
  if (steps.length) {
    agentSteps.inc({ kind: 'any', outcome: 'replayed' }, steps.length);
    log.info({ steps: steps.length }, 'agent:run:resumed');
  }
  const offered = await offeredTools(deps.tools, agent.tools);
  const toolRunner = new ToolStepRunner(deps.tools, offered, deps.budgets.toolTimeoutMs, validators);
  const specs = [...offered.values()].map((t) => ({
    name: t.name,
    description: t.description,
    parameters: t.inputSchema,
  }));
  const model = agent.model ?? deps.llm.defaultModel;
  const startedAt = Date.now();
  const attempt = ctx.task.attempts;

  while (state.answer === undefined) {
    for (const call of [...state.pending]) {
      await ctx.checkpoint();
      const t0 = performance.now();
      // Tools connect on behalf of whoever submitted the task (decision 0017).
      const { result, error } = await toolRunner.run(call, ctx.signal, requesterOf(ctx.task));
      const step: Step = {
        kind: 'tool',
        seq: state.seq++,
        attempt,
        toolName: call.name,
        toolCallId: call.id,
        arguments: call.arguments,
        result,
        error,
        durationMs: performance.now() - t0,
      };
      await saveStep(db, ctx.task.id, step);
      agentSteps.inc({ kind: 'tool', outcome: error ? 'error' : 'ok' });
      state.messages.push(toolMessage(call.id, call.name, result.content));
      state.pending.shift();
    }
    checkBudgets(deps.budgets, state, startedAt);
    await ctx.checkpoint();
    const t0 = performance.now();
    const out = await deps.llm.chat(
      { model, messages: state.messages, ...(specs.length ? { tools: specs } : {}) },
      { signal: ctx.signal },
    );
    const seq = state.seq++;
    // Ids the journal can replay: Ollama does not always send one, and a resumed run must match.
    const calls = (out.message.tool_calls ?? []).map((c, i) => ({ ...c, id: `s${seq}_${i}` }));
    const message: ChatMessage = {
      role: 'assistant',
      content: out.message.content,
      ...(calls.length ? { tool_calls: calls } : {}),
    };
    const usage = out.stats.usage;
    await saveStep(db, ctx.task.id, {
      kind: 'model',
      seq,
      attempt,
      message,
      promptTokens: usage.prompt_tokens,
      completionTokens: usage.completion_tokens,
      durationMs: performance.now() - t0,
    });
    agentSteps.inc({ kind: 'model', outcome: 'ok' });
    state.messages.push(message);
    state.usage.prompt_tokens += usage.prompt_tokens;
    state.usage.completion_tokens += usage.completion_tokens;
    state.modelTurns += 1;
    state.pending = calls;
    if (!calls.length) state.answer = out.message.content;
  }
  log.info({ steps: state.seq, usage: state.usage }, 'agent:run:completed');
  return { answer: state.answer, usage: state.usage, steps: state.seq };
}
