import type { IncomingMessage } from 'node:http';
import { SutazaiError } from '../../errors.js';
import { assertSafeValue } from '../../safe-input.js';
import { idOf, jsonRpcProblem } from '../jsonrpc.js';

/** The methods /mcp and /mcp/{server} answer; anything else gets 405 with this as `Allow`. */
export const MCP_METHODS = ['GET', 'POST', 'DELETE'] as const;

/** A refusal in JSON-RPC shape: HTTP status, error code and message, and the id when known. */
export interface WireError {
  status: number;
  code: number;
  message: string;
  id?: string | number | null;
  headers?: Record<string, string>;
  /** The catalogue code and field path of a refusal made at the door (hostile input). */
  data?: { code: string; details?: unknown };
}

/** A JSON-RPC error object, as a message of its own. */
export function errorResponse(id: string | number | null, code: number, message: string, data?: unknown) {
  return { jsonrpc: '2.0' as const, id, error: { code, message, ...(data === undefined ? {} : { data }) } };
}

/** Checks the method, the content type and the JSON of one request; POST bodies arrive as bytes. */
export function readBody(req: IncomingMessage, raw: unknown): { body: unknown } | WireError {
  if (!(MCP_METHODS as readonly string[]).includes(req.method ?? ''))
    return {
      status: 405,
      code: -32000,
      message: `Method not allowed: ${req.method}; use ${MCP_METHODS.join(', ')}`,
      headers: { allow: MCP_METHODS.join(', ') },
    };
  if (req.method !== 'POST') return { body: undefined };
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    return {
      status: 415,
      code: -32000,
      message: 'Unsupported Media Type: Content-Type must be application/json',
    };
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : '';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return { status: 400, code: -32700, message: `Parse error: ${(err as Error).message}` };
  }
  return refusedAtTheDoor(body) ?? { body };
}

/**
 * The same hostile-input checks as every REST body (NUL, lone surrogates, depth, key count:
 * decision 0016), answered in JSON-RPC shape with the catalogue code and field path as `data`.
 */
function refusedAtTheDoor(body: unknown): WireError | undefined {
  try {
    assertSafeValue(body, 'body');
    return undefined;
  } catch (err) {
    if (!(err instanceof SutazaiError)) throw err;
    return {
      status: 400,
      code: -32600,
      message: `Invalid Request: ${err.message}`,
      data: { code: err.code, details: err.details },
    };
  }
}

/**
 * What is wrong with a POST that has no session, if anything: only one `initialize` request may
 * open a session, and its params are checked here so a bad one costs no session (the SDK would
 * answer -32603 with a raw list of schema issues, after the session existed).
 */
export async function initializeProblem(body: unknown): Promise<WireError | undefined> {
  if (Array.isArray(body)) {
    const inits = body.filter((m) => (m as { method?: unknown } | null)?.method === 'initialize');
    if (inits.length > 0 && body.length > 1)
      return {
        status: 400,
        code: -32600,
        message: 'Invalid Request: Only one initialization request is allowed',
      };
    return noSession();
  }
  const problem = jsonRpcProblem(body);
  if (problem) return { status: 400, code: -32600, message: `Invalid Request: ${problem}`, id: idOf(body) };
  const m = body as { id?: string | number; method?: string; params?: unknown };
  if (m.method !== 'initialize' || m.id === undefined) return noSession();
  const issues = await paramIssues(m.params);
  if (issues) return { status: 400, code: -32602, message: `Invalid params: ${issues}`, id: m.id };
  return undefined;
}

function noSession(): WireError {
  return { status: 400, code: -32000, message: 'Bad Request: No valid session ID provided' };
}

/** The initialize params' schema issues as one readable line, or undefined when they are valid. */
async function paramIssues(params: unknown): Promise<string | undefined> {
  // The SDK is loaded at the first initialize, not at start-up (about 15 MB of RSS).
  const { specTypeSchemas } = await import('@modelcontextprotocol/server');
  const result = specTypeSchemas.InitializeRequestParams['~standard'].validate(params ?? {});
  if (result instanceof Promise) return undefined; // the SDK's schemas are synchronous
  if (!result.issues) return undefined;
  return result.issues
    .slice(0, 5)
    .map((i) => {
      const path = (i.path ?? []).map((p) => (typeof p === 'object' ? String(p.key) : String(p)));
      return `${['params', ...path].join('.')}: ${i.message}`;
    })
    .join('; ');
}
