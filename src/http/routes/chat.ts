import { z } from 'zod';
import type { Db } from '../../db/index.js';
import {
  ConversationStore,
  clientSignal,
  openEventStream,
  persistTurn,
  prepareChat,
  toSutazaiError,
  type LlmService,
  type StreamEvent,
} from '../../llm/index.js';
import type { RouteModule } from '../app.js';
import { ownerIdOf, ownerScopeOf } from '../../auth/index.js';

export interface ChatRouteDeps {
  llm: LlmService;
  db: Db;
}

const MessageSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string().max(1_000_000),
  tool_calls: z
    .array(
      z.strictObject({
        id: z.string().max(200),
        name: z.string().max(200),
        arguments: z.record(z.string(), z.unknown()),
      }),
    )
    .max(64)
    .optional(),
  tool_call_id: z.string().optional(),
  tool_name: z.string().optional(),
});

const Options = z.record(z.string(), z.unknown());

const ChatBody = z.strictObject({
  message: z.string().min(1).max(1_000_000).optional(),
  messages: z.array(MessageSchema).min(1).max(500).optional(),
  model: z.string().min(1).max(200).optional(),
  agent_id: z.uuid().optional(),
  conversation_id: z.uuid().optional(),
  use_cache: z.boolean().default(false),
  options: Options.optional(),
});

const BatchBody = z.strictObject({
  prompts: z.array(z.string().min(1).max(100_000)).min(1).max(50),
  model: z.string().min(1).max(200).optional(),
  system: z.string().max(100_000).optional(),
  use_cache: z.boolean().default(false),
  options: Options.optional(),
});

const stats = (s: {
  usage: unknown;
  done_reason: string;
  total_ms: number;
  load_ms: number;
  prompt_eval_ms: number;
  eval_ms: number;
}) => ({
  usage: s.usage,
  done_reason: s.done_reason,
  durations_ms: { total: s.total_ms, load: s.load_ms, prompt_eval: s.prompt_eval_ms, eval: s.eval_ms },
});

/** POST /api/v1/chat, /chat/stream (SSE) and /chat/batch; all under the 'expensive' rate rule. */
export function chatRoutes(deps: ChatRouteDeps): RouteModule {
  const store = new ConversationStore(deps.db);
  return async (app) => {
    app.post(
      '/api/v1/chat',
      {
        schema: { summary: 'Chat with a model; one JSON answer', body: ChatBody, tags: ['chat'] },
        config: { rateLimit: 'expensive' },
      },
      async (request, reply) => {
        const body = request.body;
        const prepared = await prepareChat(
          deps.db,
          store,
          body,
          deps.llm.defaultModel,
          ownerIdOf(request.principal) ?? undefined,
          ownerScopeOf(request.principal),
        );
        const controller = clientSignal(reply);
        const result = await deps.llm
          .chat(prepared.request, { signal: controller.signal, useCache: body.use_cache })
          .catch((err: unknown) => {
            throw toSutazaiError(err);
          });
        await persistTurn(store, prepared, result.message, result.stats.usage);
        return {
          conversation_id: prepared.conversationId,
          model: result.model,
          message: result.message,
          cached: result.cached,
          ...stats(result.stats),
        };
      },
    );

    app.post(
      '/api/v1/chat/stream',
      {
        schema: {
          summary: 'Chat with a model; the answer streams as server-sent events',
          body: ChatBody.omit({ use_cache: true }),
          tags: ['chat'],
        },
        config: { rateLimit: 'expensive' },
      },
      async (request, reply) => {
        const prepared = await prepareChat(
          deps.db,
          store,
          request.body,
          deps.llm.defaultModel,
          ownerIdOf(request.principal) ?? undefined,
          ownerScopeOf(request.principal),
        );
        const controller = clientSignal(reply);
        const stream = deps.llm.stream(prepared.request, { signal: controller.signal });
        // Pull the first event before writing headers: early failures keep their status code.
        const first = await stream.next().catch((err: unknown) => {
          throw toSutazaiError(err);
        });
        const out = openEventStream(request, reply, controller, 'sse');
        out.send('start', { conversation_id: prepared.conversationId, model: prepared.request.model });
        let content = '';
        try {
          for (let next = first; !next.done; next = await stream.next()) {
            const event: StreamEvent = next.value;
            if (event.type === 'delta') {
              content += event.content;
              out.send('delta', { content: event.content });
            } else if (event.type === 'tool_calls') out.send('tool_calls', { tool_calls: event.calls });
            else {
              await persistTurn(store, prepared, { role: 'assistant', content }, event.stats.usage);
              out.send('done', { conversation_id: prepared.conversationId, ...stats(event.stats) });
            }
          }
        } catch (err) {
          out.send('error', toSutazaiError(err).toBody());
        } finally {
          out.end();
        }
      },
    );

    app.post(
      '/api/v1/chat/batch',
      {
        schema: {
          summary: 'Several prompts to one model, answered together',
          body: BatchBody,
          tags: ['chat'],
        },
        config: { rateLimit: 'expensive' },
      },
      async (request, reply) => {
        const { prompts, system, options, use_cache } = request.body;
        const model = request.body.model ?? deps.llm.defaultModel;
        const requests = prompts.map((p) => ({
          model,
          messages: [
            ...(system ? [{ role: 'system' as const, content: system }] : []),
            { role: 'user' as const, content: p },
          ],
          ...(options ? { options } : {}),
        }));
        const controller = clientSignal(reply);
        const items = await deps.llm.batch(requests, { signal: controller.signal, useCache: use_cache });
        const results = items.map((item) =>
          item.ok
            ? {
                index: item.index,
                ok: true,
                content: item.result.message.content,
                cached: item.result.cached,
                usage: item.result.stats.usage,
              }
            : { index: item.index, ok: false, error: item.error },
        );
        const failed = results.filter((r) => !r.ok).length;
        return { model, succeeded: results.length - failed, failed, results };
      },
    );
  };
}
