import type { ServerResponse } from 'node:http';
import { ownerIdOf } from '../../auth/index.js';
import type { EventHub, StreamSink, Viewer } from '../../events/index.js';
import type { RouteModule } from '../app.js';
import type { Principal } from '../types.js';

export interface EventsRouteDeps {
  hub: EventHub;
  reconnectRetryMs: number;
  heartbeatMs: number;
}

function viewerOf(principal: Principal | undefined): { viewer: Viewer; key: string } {
  const ownerId = ownerIdOf(principal);
  return {
    viewer: { admin: principal?.role === 'admin', ownerId },
    key: ownerId ?? `${principal?.kind ?? 'anonymous'}:${principal?.id ?? ''}`,
  };
}

function sinkOf(res: ServerResponse): StreamSink {
  return {
    write: (chunk) => void res.write(chunk),
    // Counts what Node holds for this response, its socket's buffer included.
    buffered: () => res.writableLength,
    end: () => {
      res.end();
      // A client that reads nothing would keep the socket (and its buffer) forever.
      setTimeout(() => res.destroy(), 5000).unref();
    },
  };
}

/**
 * GET /api/v1/events: server-sent events (text/event-stream). Bearer or API key like every
 * route (browsers use fetch with a stream reader: EventSource cannot send the header).
 */
export function eventsRoutes(deps: EventsRouteDeps): RouteModule {
  return (app) => {
    // Open streams never end on their own: end them when the server closes, or close would wait.
    app.addHook('preClose', async () => deps.hub.close());
    app.get(
      '/api/v1/events',
      {
        schema: {
          tags: ['events'],
          summary:
            'Live events (SSE): task, task_step, mcp, health, doctor; Last-Event-ID resumes; heartbeats',
        },
      },
      async (request, reply) => {
        const { viewer, key } = viewerOf(request.principal);
        const header = request.headers['last-event-id'];
        const lastEventId = typeof header === 'string' ? header.slice(0, 64) : undefined;
        deps.hub.admit(key); // 429 past the stream caps, before the response is taken over
        reply.hijack();
        // Heartbeats keep a live stream busy; a socket silent for four of them is dead.
        request.raw.socket.setTimeout(deps.heartbeatMs * 4);
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-store',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
          'x-request-id': request.id,
        });
        res.write(`retry: ${deps.reconnectRetryMs}\n\n`);
        const close = deps.hub.subscribe(viewer, key, sinkOf(res), lastEventId);
        res.on('close', close);
      },
    );
  };
}
