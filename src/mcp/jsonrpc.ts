import type { JSONRPCMessage } from '@modelcontextprotocol/server';

/**
 * The shape of a JSON-RPC 2.0 request, notification or response. The SDK's own check is a zod
 * union that builds an error for every branch it rejects, which made up a tenth of the gateway's
 * CPU per call; this checks the same envelope, and the protocol layer still checks each
 * method's params and results.
 */
export function isJsonRpcMessage(value: unknown): value is JSONRPCMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const m = value as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') return false;
  const id = m.id;
  const validId = typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id));
  if (typeof m.method === 'string')
    return (id === undefined || validId) && (m.params === undefined || isObject(m.params));
  if ('result' in m) return validId && isObject(m.result);
  return (validId || id === null || id === undefined) && isObject(m.error);
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Splits a byte stream into newline-delimited JSON-RPC messages, as MCP's stdio transport frames them. */
export class JsonRpcLineReader {
  private buffer: Buffer | undefined;

  constructor(private readonly maxBytes = 10 * 1024 * 1024) {}

  /**
   * Adds a chunk and returns the complete messages it finished, in order. Lines that are not
   * JSON-RPC are passed to `onInvalid` and skipped; a line longer than the cap is dropped whole.
   */
  push(chunk: Buffer, onInvalid: (reason: string) => void): JSONRPCMessage[] {
    let buf = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    const out: JSONRPCMessage[] = [];
    let newline: number;
    while ((newline = buf.indexOf(10)) !== -1) {
      const end = newline > 0 && buf[newline - 1] === 13 ? newline - 1 : newline;
      const line = buf.toString('utf8', 0, end);
      buf = buf.subarray(newline + 1);
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        onInvalid(`not JSON: ${line.slice(0, 200)}`);
        continue;
      }
      if (isJsonRpcMessage(parsed)) out.push(parsed);
      else onInvalid(`not a JSON-RPC message: ${line.slice(0, 200)}`);
    }
    if (buf.length > this.maxBytes) {
      onInvalid(`a line exceeded ${this.maxBytes} bytes and was dropped`);
      buf = Buffer.alloc(0);
    }
    this.buffer = buf.length > 0 ? buf : undefined;
    return out;
  }

  clear(): void {
    this.buffer = undefined;
  }
}

const REQUEST_MEMBERS = new Set(['jsonrpc', 'id', 'method', 'params']);
const RESULT_MEMBERS = new Set(['jsonrpc', 'id', 'result']);
const ERROR_MEMBERS = new Set(['jsonrpc', 'id', 'error']);

/**
 * Why a message a client sent is not a valid JSON-RPC 2.0 message for MCP, or undefined when it
 * is. Stricter than `isJsonRpcMessage`: JSON-RPC 2.0 lists the members of each object, and MCP's
 * schema (which the SDK's protocol layer enforces) allows no others, so a message with an extra
 * top-level member is an Invalid Request (decision 0021) — answered, never silently dropped.
 */
export function jsonRpcProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'a message must be a JSON object';
  if (!isJsonRpcMessage(value)) return 'not a JSON-RPC 2.0 request, notification or response';
  const m = value as Record<string, unknown>;
  const allowed =
    typeof m.method === 'string' ? REQUEST_MEMBERS : 'result' in m ? RESULT_MEMBERS : ERROR_MEMBERS;
  const extra = Object.keys(m).filter((k) => !allowed.has(k));
  if (extra.length > 0) return `unexpected top-level member ${extra.map((k) => `"${k}"`).join(', ')}`;
  if (typeof m.method === 'string')
    return metaProblem((m.params as Record<string, unknown> | undefined)?._meta);
  if ('error' in m) {
    const e = m.error as Record<string, unknown>;
    if (!Number.isInteger(e.code) || typeof e.message !== 'string')
      return 'error needs an integer code and a message';
    if (m.id === null) return 'an error response sent to the server needs the id of its request';
  }
  return undefined;
}

function metaProblem(meta: unknown): string | undefined {
  if (meta === undefined) return undefined;
  if (!isObject(meta)) return 'params._meta must be an object';
  const token = (meta as Record<string, unknown>).progressToken;
  if (token !== undefined && typeof token !== 'string' && !Number.isInteger(token))
    return 'params._meta.progressToken must be a string or an integer';
  return undefined;
}

/** The id of a message, if it carries a usable one (for answering an invalid message). */
export function idOf(value: unknown): string | number | null {
  if (!isObject(value)) return null;
  const id = (value as Record<string, unknown>).id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id)) ? id : null;
}
