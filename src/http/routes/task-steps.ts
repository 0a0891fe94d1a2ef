import { z } from 'zod';
import type { StepView } from '../../agents/runner/index.js';
import { ownerScopeOf } from '../../auth/index.js';
import { SutazaiError } from '../../errors.js';
import type { TaskQueue } from '../../tasks/index.js';
import type { RouteModule } from '../app.js';

export interface TaskStepsRouteDeps {
  queue: Pick<TaskQueue, 'get'>;
  steps: (taskId: string) => Promise<StepView[]>;
}

const StepBody = z.object({
  seq: z.number().int(),
  attempt: z.number().int(),
  kind: z.enum(['model', 'tool']),
  tool_name: z.string().nullable(),
  tool_call_id: z.string().nullable(),
  arguments: z.record(z.string(), z.unknown()).nullable(),
  message: z.unknown(),
  result: z.unknown(),
  error: z.string().nullable(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  duration_ms: z.number(),
  created_at: z.string(),
});

const toStepBody = (s: StepView): z.infer<typeof StepBody> => ({
  seq: s.seq,
  attempt: s.attempt,
  kind: s.kind,
  tool_name: s.toolName,
  tool_call_id: s.toolCallId,
  arguments: s.arguments,
  message: s.message,
  result: s.result,
  error: s.error,
  prompt_tokens: s.promptTokens,
  completion_tokens: s.completionTokens,
  duration_ms: s.durationMs,
  created_at: s.createdAt.toISOString(),
});

/**
 * GET /api/v1/tasks/{id}/steps: the agent runner's step journal (every model turn and tool call,
 * in order). Same ownership rule as GET /api/v1/tasks/{id}: another user's task answers 404.
 */
export function taskStepsRoutes(deps: TaskStepsRouteDeps): RouteModule {
  return (app) => {
    app.get(
      '/api/v1/tasks/:id/steps',
      {
        schema: {
          tags: ['tasks'],
          summary: "A task's step trace: every model turn and tool call in order, with tokens and durations",
          params: z.object({ id: z.string() }),
          response: { 200: z.object({ steps: z.array(StepBody) }) },
        },
      },
      async (request) => {
        const task = await deps.queue.get(request.params.id, ownerScopeOf(request.principal));
        if (!task) throw new SutazaiError('SUTAZAI_ERR_TASK_NOT_FOUND', { id: request.params.id });
        return { steps: (await deps.steps(task.id)).map(toStepBody) };
      },
    );
  };
}
