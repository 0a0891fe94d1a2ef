/**
 * An Ollama-compatible server double for tests and benches — never a product feature, never a
 * default. It follows Ollama's documented API (docs/api.md): /api/chat streams NDJSON (content
 * chunks, a tool_calls chunk, a final done:true line with total_duration, load_duration,
 * prompt_eval_count, prompt_eval_duration, eval_count, eval_duration in nanoseconds); /api/tags,
 * /api/ps, /api/pull (progress lines), /api/embed, /api/version; the documented error texts
 * (404 model not found, 400 does not support tools, 503 server busy); NUM_PARALLEL slots per model
 * and a MAX_QUEUE of waiting requests past which it answers 503.
 *
 * Replies are scripted per test (FIFO, optionally per model); with no script it echoes the last
 * user message. Counters record requests and the maximum concurrent requests seen per model.
 *
 * Run standalone: npx tsx test/doubles/ollama-double.ts --port 11434 [--latency 50] [--parallel 4]
 *   [--max-queue 512] [--models a,b] [--mode echo|tool-then-answer]; GET /_double/counters for counters.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

export interface ScriptedReply {
  content?: string;
  tool_calls?: Array<{ name: string; arguments: Record<string, unknown> | string }>;
  /** Answer with this HTTP status and `{"error": error}` instead of streaming. */
  status?: number;
  error?: string;
  /** Stream the content, then an `{"error": …}` line instead of the final stats. */
  midStreamError?: string;
  /** Overrides the double's per-turn latency for this reply. */
  latencyMs?: number;
  /** Delay between streamed chunks. */
  chunkDelayMs?: number;
  prompt_eval_count?: number;
  eval_count?: number;
}

export type Reply = ScriptedReply | ((body: ChatBody) => ScriptedReply);

export interface ChatBody {
  model: string;
  messages: Array<{ role: string; content: string; tool_calls?: unknown[]; tool_name?: string }>;
  tools?: Array<{ function: { name: string } }>;
  stream?: boolean;
  options?: Record<string, unknown>;
}

export interface DoubleOptions {
  port?: number;
  /** Model names the double "has"; `noTools` ones answer 400 when sent tools. */
  models?: string[];
  noTools?: string[];
  /** Requests processed at once per model (OLLAMA_NUM_PARALLEL). */
  numParallel?: number;
  /** Requests waiting for a slot across all models past which it answers 503 (OLLAMA_MAX_QUEUE). */
  maxQueue?: number;
  /** Delay before the first chunk of every turn. */
  latencyMs?: number;
  /**
   * Unscripted replies: `echo` (default) echoes the last user message; `tool-then-answer` calls
   * time.now when the last message is not a tool result and answers "done" when it is.
   */
  mode?: 'echo' | 'tool-then-answer';
  /**
   * Bytes each model takes once loaded, as /api/ps reports them (`size`; `size_vram` is 0, a
   * CPU-only host). Default 1 byte.
   */
  modelSizes?: Record<string, number>;
}

export interface DoubleCounters {
  chatRequests: number;
  byModel: Record<string, number>;
  /** Highest number of chat requests open at once per model (queued at the double or processing). */
  maxConcurrent: Record<string, number>;
  open: Record<string, number>;
  rejectedBusy: number;
  clientAborts: number;
}

export interface OllamaDouble {
  url: string;
  port: number;
  counters: DoubleCounters;
  /** Bodies of /api/chat requests, newest last (at most 200). */
  requests: ChatBody[];
  script(replies: Reply[], model?: string): void;
  setLatency(ms: number): void;
  reset(): void;
  close(): Promise<void>;
}

const now = () => new Date().toISOString();

function freshCounters(): DoubleCounters {
  return { chatRequests: 0, byModel: {}, maxConcurrent: {}, open: {}, rejectedBusy: 0, clientAborts: 0 };
}

function tokens(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

export async function startOllamaDouble(options: DoubleOptions = {}): Promise<OllamaDouble> {
  const models = new Set(options.models ?? ['tinyllama:latest', 'qwen2.5:latest']);
  const noTools = new Set(options.noTools ?? []);
  const numParallel = options.numParallel ?? 4;
  const maxQueue = options.maxQueue ?? 512;
  let latencyMs = options.latencyMs ?? 0;
  let counters = freshCounters();
  const requests: ChatBody[] = [];
  const scripts = new Map<string, Reply[]>();
  const active = new Map<string, number>();
  const waiters = new Map<string, Array<() => void>>();
  let queued = 0;
  const loaded = new Set<string>();
  const sockets = new Set<Socket>();

  const known = (name: string) => models.has(name) || models.has(`${name}:latest`);
  const canonical = (name: string) => (name.includes(':') ? name : `${name}:latest`);

  async function takeSlot(model: string, closed: () => boolean): Promise<boolean> {
    if ((active.get(model) ?? 0) < numParallel) {
      active.set(model, (active.get(model) ?? 0) + 1);
      return true;
    }
    if (queued >= maxQueue) return false;
    queued += 1;
    await new Promise<void>((resolve) => {
      const list = waiters.get(model) ?? [];
      list.push(resolve);
      waiters.set(model, list);
    });
    queued -= 1;
    active.set(model, (active.get(model) ?? 0) + 1);
    if (closed()) {
      freeSlot(model);
      return false;
    }
    return true;
  }

  function freeSlot(model: string): void {
    active.set(model, (active.get(model) ?? 1) - 1);
    const next = waiters.get(model)?.shift();
    next?.();
  }

  function nextReply(body: ChatBody): ScriptedReply {
    const queue = scripts.get(canonical(body.model)) ?? scripts.get('*');
    const reply = queue?.shift();
    if (reply) return typeof reply === 'function' ? reply(body) : reply;
    if (options.mode === 'tool-then-answer') {
      return body.messages.at(-1)?.role === 'tool'
        ? { content: 'done' }
        : { tool_calls: [{ name: 'time.now', arguments: {} }] };
    }
    const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
    return { content: `echo: ${lastUser?.content ?? ''}` };
  }

  function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
    const text = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  async function chat(body: ChatBody, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const model = canonical(body.model);
    counters.chatRequests += 1;
    counters.byModel[model] = (counters.byModel[model] ?? 0) + 1;
    requests.push(body);
    if (requests.length > 200) requests.shift();
    if (!known(body.model))
      return sendJson(res, 404, { error: `model "${body.model}" not found, try pulling it first` });
    if (body.tools?.length && noTools.has(model))
      return sendJson(res, 400, { error: `registry.ollama.ai/library/${body.model} does not support tools` });
    const reply = nextReply(body);
    if (reply.status) return sendJson(res, reply.status, { error: reply.error ?? 'error' });

    let closed = false;
    res.on('close', () => {
      if (!res.writableFinished) {
        closed = true;
        counters.clientAborts += 1;
      }
    });
    counters.open[model] = (counters.open[model] ?? 0) + 1;
    counters.maxConcurrent[model] = Math.max(counters.maxConcurrent[model] ?? 0, counters.open[model]!);
    try {
      if (!(await takeSlot(model, () => closed))) {
        if (closed) return;
        counters.rejectedBusy += 1;
        return sendJson(res, 503, {
          error: 'server busy, please try again.  maximum pending requests exceeded',
        });
      }
      try {
        await streamReply(body, reply, res, () => closed);
      } finally {
        freeSlot(model);
      }
    } finally {
      counters.open[model] = (counters.open[model] ?? 1) - 1;
    }
    void req;
  }

  async function streamReply(
    body: ChatBody,
    reply: ScriptedReply,
    res: http.ServerResponse,
    closed: () => boolean,
  ): Promise<void> {
    const started = process.hrtime.bigint();
    const wait = reply.latencyMs ?? latencyMs;
    if (wait > 0) await sleep(wait);
    if (closed()) return;
    loaded.add(canonical(body.model));
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const write = (obj: unknown) => res.write(`${JSON.stringify(obj)}\n`);
    const parts = tokens(reply.content ?? '');
    for (const part of parts) {
      if (closed()) return;
      write({
        model: body.model,
        created_at: now(),
        message: { role: 'assistant', content: part },
        done: false,
      });
      if (reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
    }
    if (reply.tool_calls?.length) {
      const calls = reply.tool_calls.map((c, index) => ({
        function: { index, name: c.name, arguments: c.arguments },
      }));
      write({
        model: body.model,
        created_at: now(),
        message: { role: 'assistant', content: '', tool_calls: calls },
        done: false,
      });
    }
    if (reply.midStreamError) {
      write({ error: reply.midStreamError });
      res.end();
      return;
    }
    const total = Number(process.hrtime.bigint() - started);
    const promptCount =
      reply.prompt_eval_count ?? body.messages.reduce((n, m) => n + tokens(m.content ?? '').length, 0);
    write({
      model: body.model,
      created_at: now(),
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'stop',
      total_duration: total,
      load_duration: 1000,
      prompt_eval_count: promptCount,
      prompt_eval_duration: Math.floor(total / 4),
      eval_count: reply.eval_count ?? Math.max(1, parts.length),
      eval_duration: Math.floor(total / 2),
    });
    res.end();
  }

  async function pull(body: { model?: string; name?: string }, res: http.ServerResponse): Promise<void> {
    const name = body.model ?? body.name ?? '';
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const write = (obj: unknown) => res.write(`${JSON.stringify(obj)}\n`);
    write({ status: 'pulling manifest' });
    if (name.startsWith('missing')) {
      write({ error: 'pull model manifest: file does not exist' });
      return void res.end();
    }
    const digest = 'sha256:2af3b81862c6be03c769683af18efdadb2c33f60ff32ab6f83e42c043d6c7816';
    for (const completed of [0, 512, 1024])
      write({ status: `pulling ${digest.slice(7, 19)}`, digest, total: 1024, completed });
    write({ status: 'verifying sha256 digest' });
    write({ status: 'writing manifest' });
    write({ status: 'success' });
    models.add(canonical(name));
    res.end();
  }

  function tags(): unknown {
    return {
      models: [...models].map((name) => ({
        name,
        model: name,
        modified_at: '2025-01-01T00:00:00Z',
        size: 637_700_138,
        digest: '2af3b81862c6',
        details: { format: 'gguf', family: 'llama', parameter_size: '1B', quantization_level: 'Q4_0' },
      })),
    };
  }

  function embed(body: { model: string; input: string | string[] }): unknown {
    const input = Array.isArray(body.input) ? body.input : [body.input];
    const embeddings = input.map((text) => {
      const v = [0, 0, 0, 0];
      for (let i = 0; i < text.length; i++) v[i % 4]! += text.charCodeAt(i) / 1000;
      return v;
    });
    return { model: body.model, embeddings };
  }

  async function readBody(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? JSON.parse(text) : {};
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/api/version')
      return sendJson(res, 200, { version: '0.6.8-double' });
    if (req.method === 'GET' && path === '/_double/counters') return sendJson(res, 200, counters);
    if (req.method === 'GET' && path === '/api/tags') return sendJson(res, 200, tags());
    if (req.method === 'GET' && path === '/api/ps')
      return sendJson(res, 200, {
        models: [...loaded].map((name) => ({
          name,
          model: name,
          size: options.modelSizes?.[name] ?? 1,
          size_vram: 0,
          expires_at: now(),
        })),
      });
    if (req.method !== 'POST') return sendJson(res, 404, { error: 'not found' });
    let body: unknown;
    try {
      body = await readBody(req);
    } catch {
      return sendJson(res, 400, { error: 'invalid character in JSON body' });
    }
    if (path === '/api/chat') return chat(body as ChatBody, req, res);
    if (path === '/api/pull') return pull(body as { model?: string }, res);
    if (path === '/api/embed') return sendJson(res, 200, embed(body as { model: string; input: string[] }));
    return sendJson(res, 404, { error: 'not found' });
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: Error) => {
      if (!res.headersSent) sendJson(res, 500, { error: err.message });
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get counters() {
      return counters;
    },
    requests,
    script(replies, model) {
      const key = model ? canonical(model) : '*';
      scripts.set(key, [...(scripts.get(key) ?? []), ...replies]);
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    reset() {
      // `open` tracks live requests: a request still draining from an earlier test must stay counted.
      counters = { ...freshCounters(), open: counters.open };
      scripts.clear();
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const double = await startOllamaDouble({
    port: Number(argValue('port') ?? 11434),
    latencyMs: Number(argValue('latency') ?? 0),
    numParallel: Number(argValue('parallel') ?? 4),
    maxQueue: Number(argValue('max-queue') ?? 512),
    mode: argValue('mode') === 'tool-then-answer' ? 'tool-then-answer' : 'echo',
    ...(argValue('models') ? { models: argValue('models')!.split(',') } : {}),
  });
  console.log(`ollama double listening on ${double.url}`);
  const stop = () => void double.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
