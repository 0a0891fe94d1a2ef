import { z } from 'zod';
import { clientSignal, openEventStream, toSutazaiError, type LlmService } from '../../llm/index.js';
import type { RouteModule } from '../app.js';

export interface ModelsRouteDeps {
  llm: LlmService;
}

/** GET /api/v1/models (what each backend has and has loaded); POST /api/v1/models/pull (admin). */
export function modelsRoutes(deps: ModelsRouteDeps): RouteModule {
  return async (app) => {
    app.get(
      '/api/v1/models',
      { schema: { tags: ['models'], summary: 'Models each backend serves' } },
      async (request, reply) => {
        const controller = clientSignal(reply);
        const backends = await deps.llm.models(controller.signal);
        return { default_model: deps.llm.defaultModel, backends };
      },
    );

    app.post(
      '/api/v1/models/pull',
      {
        schema: {
          summary: 'Pull a model onto its backend (admin); progress streams back',
          body: z.strictObject({
            model: z.string().min(1).max(200),
            format: z.enum(['sse', 'ndjson']).optional(),
          }),
          tags: ['models'],
        },
        config: { access: 'admin', rateLimit: 'expensive' },
      },
      async (request, reply) => {
        const accept = request.headers.accept ?? '';
        const format = request.body.format ?? (accept.includes('application/x-ndjson') ? 'ndjson' : 'sse');
        const controller = clientSignal(reply);
        const progress = deps.llm.pull(request.body.model, controller.signal);
        const first = await progress.next().catch((err: unknown) => {
          throw toSutazaiError(err);
        });
        const out = openEventStream(request, reply, controller, format);
        try {
          for (let next = first; !next.done; next = await progress.next()) out.send('progress', next.value);
          out.send('done', { model: request.body.model, status: 'success' });
        } catch (err) {
          out.send('error', toSutazaiError(err).toBody());
        } finally {
          out.end();
        }
      },
    );
  };
}
