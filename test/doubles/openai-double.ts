/**
 * A small OpenAI-compatible server double (llama.cpp server / vLLM / LM Studio shape) for tests:
 * /v1/models and /v1/chat/completions streamed as SSE, with tool-call arguments split into string
 * fragments across chunks the way these servers send them, a usage chunk, then `data: [DONE]`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpenAiReply {
  content?: string;
  tool_calls?: Array<{ id: string; name: string; arguments: string }>;
  status?: number;
  error?: string;
}

export interface OpenAiDouble {
  url: string;
  requests: Array<Record<string, unknown>>;
  script(replies: OpenAiReply[]): void;
  close(): Promise<void>;
}

export async function startOpenAiDouble(models: string[] = ['local-model']): Promise<OpenAiDouble> {
  const queue: OpenAiReply[] = [];
  const requests: Array<Record<string, unknown>> = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method === 'GET' && req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model' })) }));
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    requests.push(body);
    const reply = queue.shift() ?? { content: 'hello from openai double' };
    if (reply.status) {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: { message: reply.error ?? 'error', type: 'server_error' } }));
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (obj: unknown) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
    const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', model: body.model };
    for (const piece of (reply.content ?? '').match(/.{1,3}/gs) ?? [])
      send({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
    for (const [index, call] of (reply.tool_calls ?? []).entries()) {
      send({
        ...base,
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [
                { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
              ],
            },
          },
        ],
      });
      for (const frag of call.arguments.match(/.{1,4}/gs) ?? [])
        send({
          ...base,
          choices: [{ index: 0, delta: { tool_calls: [{ index, function: { arguments: frag } }] } }],
        });
    }
    send({
      ...base,
      choices: [{ index: 0, delta: {}, finish_reason: reply.tool_calls ? 'tool_calls' : 'stop' }],
    });
    send({ ...base, choices: [], usage: { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 } });
    res.write('data: [DONE]\n\n');
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (replies) => queue.push(...replies),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
