import { ProtocolError } from '@modelcontextprotocol/server';
import { McpGatewayError, plainMessage, RETRY_LATER, RETRY_LATER_KINDS } from '../errors.js';

/**
 * JSON-RPC errors for the /mcp endpoint: an upstream error keeps its code, data and message (minus
 * SDK prefixes); a name or method the client got wrong is -32602; anything the client should
 * retry later is `RETRY_LATER` with `retryAfter` in its data — never -32603.
 */
export function toJsonRpcError(err: unknown): ProtocolError | unknown {
  if (err instanceof ProtocolError) return new ProtocolError(err.code, plainMessage(err.message), err.data);
  if (!(err instanceof McpGatewayError)) return err;
  if (err.kind === 'upstream')
    return new ProtocolError(
      Number(err.data.upstreamCode),
      plainMessage(String(err.data.reason)),
      err.data.upstreamData,
    );
  const data = { kind: err.kind, ...err.data };
  if (RETRY_LATER_KINDS.has(err.kind))
    return new ProtocolError(RETRY_LATER, plainMessage(err.message), { retryAfter: 1, ...data });
  const code =
    err.kind === 'not_found' || err.kind === 'tool_not_found' || err.kind === 'method_not_allowed'
      ? -32602
      : -32603;
  return new ProtocolError(code, plainMessage(err.message), data);
}
