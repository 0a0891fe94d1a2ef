import { z } from 'zod';
import type { Db } from '../../db/index.js';
import { SutazaiError } from '../../errors.js';
import { ConversationStore } from '../../llm/index.js';
import type { RouteModule } from '../app.js';
import { ownerScopeOf } from '../../auth/index.js';

export interface ConversationsRouteDeps {
  db: Db;
}

/** GET /api/v1/conversations (newest first) and /api/v1/conversations/:id (with messages). */
export function conversationsRoutes(deps: ConversationsRouteDeps): RouteModule {
  const store = new ConversationStore(deps.db);
  return async (app) => {
    app.get(
      '/api/v1/conversations',
      {
        schema: {
          summary: 'Conversations of the caller (admins: all), newest first',
          querystring: z.strictObject({
            limit: z.coerce.number().int().min(1).max(200).default(50),
            offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
          }),
          tags: ['chat'],
        },
      },
      async (request) => ({
        items: await store.list(request.query.limit, request.query.offset, ownerScopeOf(request.principal)),
      }),
    );

    app.get(
      '/api/v1/conversations/:id',
      {
        schema: {
          summary: 'One conversation with its messages',
          params: z.strictObject({ id: z.uuid() }),
          tags: ['chat'],
        },
      },
      async (request) => {
        const found = await store.get(request.params.id, ownerScopeOf(request.principal));
        if (!found)
          throw new SutazaiError('SUTAZAI_ERR_LLM_CONVERSATION_NOT_FOUND', { id: request.params.id });
        return found;
      },
    );
  };
}
