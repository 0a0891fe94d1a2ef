import type { ServerCapabilities } from '@modelcontextprotocol/server';
import type { McpGateway } from '../gateway.js';
import type { DirectRoute } from './http-transport.js';
import { toJsonRpcError } from './json-rpc-error.js';
import type { NameTable } from './names.js';
import { forwardToolCall, type ToolScope } from './tool-route.js';
import { errorResponse } from './wire.js';

type Message = Record<string, unknown>;
/** The members of `tools/call` params the fast path understands; anything else takes the SDK's. */
const PLAIN_PARAMS = new Set(['name', 'arguments', '_meta']);
/** `_meta` members that ask for more than one answer (progress) or for task semantics. */
const STREAMING_META = ['progressToken', 'io.modelcontextprotocol/related-task'];
/** Result members that the SDK server leaves alone when a result has no `content` (2026 shapes). */
const FOREIGN_RESULT_KEYS = ['task', 'inputRequests', 'requestState'];

/**
 * The fast path of an established session (decision 0072): a plain `tools/call` — one answer,
 * no progress token, params of the usual shape — is forwarded straight to its server and its
 * result written as the JSON answer, without the SDK server's dispatch (which parsed the request
 * twice and the result once more with zod, and built a context of closures per call). Everything
 * else, and any tools/call this does not recognise, goes through the SDK server as before, so the
 * SDK still words every refusal. Server-to-client requests and log messages are unaffected: they
 * reach the client through the same transport exchange.
 */
export class DirectCalls implements DirectRoute {
  private readonly tools: ToolScope;

  constructor(
    gateway: McpGateway,
    names: NameTable,
    scope: string | null,
    sessionKey: string,
    private readonly capabilities: ServerCapabilities,
  ) {
    this.tools = { gateway, names, scope, sessionKey };
  }

  accepts(m: Message): boolean {
    return m.method === 'tools/call' && this.capabilities.tools !== undefined && plainToolCall(m.params);
  }

  async answer(m: Message, signal: AbortSignal): Promise<unknown> {
    const params = m.params as { name: string; arguments?: Record<string, unknown> };
    try {
      return withContent(
        await forwardToolCall(
          this.tools,
          params,
          { session: this.tools.sessionKey, requestId: m.id as string | number },
          signal,
        ),
      );
    } catch (err) {
      throw toJsonRpcError(err);
    }
  }

  /** The error answer the SDK server would give for `err` thrown by a handler. */
  error(id: string | number, err: unknown): Message {
    const e = err as { code?: unknown; message?: unknown; data?: unknown } | null;
    const thrown = Number.isSafeInteger(e?.code) ? (e!.code as number) : -32603;
    // The 2025 wire has no -32002 (resource not found): the SDK answers it as -32602.
    const code = thrown === -32002 ? -32602 : thrown;
    const message = typeof e?.message === 'string' ? e.message : 'Internal error';
    return errorResponse(id, code, message, e?.data);
  }
}

/** Whether `params` are what a plain tools/call carries (the SDK's schema accepts all of these). */
function plainToolCall(params: unknown): boolean {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return false;
  const p = params as Message;
  if (typeof p.name !== 'string') return false;
  if (p.arguments !== undefined && !isPlainObject(p.arguments)) return false;
  for (const key in p) if (!PLAIN_PARAMS.has(key)) return false;
  const meta = p._meta;
  if (meta === undefined) return true;
  if (!isPlainObject(meta)) return false;
  for (const key of STREAMING_META) if ((meta as Message)[key] !== undefined) return false;
  return true;
}

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A result without `content` gets an empty one, as the SDK server normalises it. */
function withContent(result: unknown): unknown {
  if (!isPlainObject(result)) return result;
  const r = result as Message;
  if (r.content !== undefined || FOREIGN_RESULT_KEYS.some((k) => k in r)) return result;
  return { ...r, content: [] };
}
