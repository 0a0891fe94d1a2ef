import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Writing a streamed answer (SSE or NDJSON) on a hijacked reply. The caller pulls the first event
 * before calling `open`, so failures that happen before any output (unknown model, busy) still
 * answer with a proper status code and Retry-After through the normal error handler.
 */
export interface EventWriter {
  send(event: string, data: unknown): void;
  end(): void;
  /** Aborted when the client goes away; pass it to the model call so its slot is freed. */
  signal: AbortSignal;
}

/**
 * Aborted when the client goes away before the answer is complete. Watches the response, not the
 * request: an IncomingMessage emits 'close' as soon as its body has been read, which would abort
 * every call.
 */
export function clientSignal(reply: FastifyReply): AbortController {
  const controller = new AbortController();
  // The server's socket inactivity timeout (http.requestTimeoutMs) would cut a cold model load or
  // a slow stream; model calls are bounded by the llm first-token and idle timers instead.
  const socket = reply.raw.socket;
  if (typeof socket?.setTimeout === 'function') socket.setTimeout(0); // inject() has a fake socket
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller;
}

export function openEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  controller: AbortController,
  format: 'sse' | 'ndjson' = 'sse',
): EventWriter {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': format === 'sse' ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
  });
  return {
    signal: controller.signal,
    send(event, data) {
      if (raw.writableEnded) return;
      if (format === 'sse') raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      else raw.write(`${JSON.stringify({ event, ...(data as object) })}\n`);
    },
    end() {
      if (!raw.writableEnded) raw.end();
    },
  };
}
