import type { Queryable } from '../../db/index.js';
import type { ChatMessage } from '../../llm/index.js';
import type { ToolResult } from '../../tools/types.js';

/**
 * The task_steps journal. A step is written as soon as it completes; (task_id, seq) is the key,
 * so a second worker that lost its lease cannot write the same step twice.
 */
export type Step =
  | {
      kind: 'model';
      seq: number;
      attempt: number;
      message: ChatMessage;
      promptTokens: number;
      completionTokens: number;
      durationMs: number;
    }
  | {
      kind: 'tool';
      seq: number;
      attempt: number;
      toolName: string;
      toolCallId: string;
      arguments: Record<string, unknown>;
      result: ToolResult;
      error: string | null;
      durationMs: number;
    };

interface StepRow {
  seq: number;
  attempt: number;
  kind: 'model' | 'tool';
  tool_name: string | null;
  tool_call_id: string | null;
  arguments: Record<string, unknown> | null;
  message: ChatMessage | null;
  result: ToolResult | null;
  error: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  duration_ms: number;
}

export async function loadSteps(db: Queryable, taskId: string): Promise<Step[]> {
  const { rows } = await db.query<StepRow>('SELECT * FROM task_steps WHERE task_id = $1 ORDER BY seq', [
    taskId,
  ]);
  return rows.map((r): Step =>
    r.kind === 'model'
      ? {
          kind: 'model',
          seq: r.seq,
          attempt: r.attempt,
          message: r.message!,
          promptTokens: r.prompt_tokens,
          completionTokens: r.completion_tokens,
          durationMs: r.duration_ms,
        }
      : {
          kind: 'tool',
          seq: r.seq,
          attempt: r.attempt,
          toolName: r.tool_name ?? '',
          toolCallId: r.tool_call_id ?? '',
          arguments: r.arguments ?? {},
          result: r.result ?? { content: '', isError: true },
          error: r.error,
          durationMs: r.duration_ms,
        },
  );
}

export async function saveStep(db: Queryable, taskId: string, step: Step): Promise<void> {
  const model = step.kind === 'model';
  await db.query(
    `INSERT INTO task_steps (task_id, seq, attempt, kind, tool_name, tool_call_id, arguments, message, result,
                             error, prompt_tokens, completion_tokens, duration_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (task_id, seq) DO NOTHING`,
    [
      taskId,
      step.seq,
      step.attempt,
      step.kind,
      model ? null : step.toolName,
      model ? null : step.toolCallId,
      model ? null : JSON.stringify(step.arguments),
      model ? JSON.stringify(step.message) : null,
      model ? null : JSON.stringify(step.result),
      model ? null : step.error,
      model ? step.promptTokens : 0,
      model ? step.completionTokens : 0,
      step.durationMs,
    ],
  );
}

/** Removes journals of tasks that no longer exist (there is no FK cascade; see migration 0003). */
export async function deleteStepsOfMissingTasks(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    'DELETE FROM task_steps s WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = s.task_id)',
  );
  return rowCount;
}

/** One journal row as the step-trace API shows it (GET /api/v1/tasks/{id}/steps). */
export interface StepView {
  seq: number;
  attempt: number;
  kind: 'model' | 'tool';
  toolName: string | null;
  toolCallId: string | null;
  arguments: Record<string, unknown> | null;
  /** The model turn's assistant message (content and tool calls); null for a tool call. */
  message: ChatMessage | null;
  result: ToolResult | null;
  error: string | null;
  promptTokens: number;
  completionTokens: number;
  durationMs: number;
  createdAt: Date;
}

/** A task's journal in order; bounded by `limit` (the runner's step budget keeps it far below). */
export async function listStepViews(db: Queryable, taskId: string, limit = 1000): Promise<StepView[]> {
  const { rows } = await db.query<StepRow & { created_at: Date | string }>(
    'SELECT * FROM task_steps WHERE task_id = $1 ORDER BY seq LIMIT $2',
    [taskId, limit],
  );
  return rows.map((r) => ({
    seq: r.seq,
    attempt: r.attempt,
    kind: r.kind,
    toolName: r.tool_name,
    toolCallId: r.tool_call_id,
    arguments: r.arguments,
    message: r.message,
    result: r.result,
    error: r.error,
    promptTokens: r.prompt_tokens,
    completionTokens: r.completion_tokens,
    durationMs: r.duration_ms,
    createdAt: new Date(r.created_at),
  }));
}
