import { SutazaiError } from '../errors.js';

/**
 * Local errors of the gateway (typed kind + data). The REST routes map them to catalogue codes
 * with `toSutazaiError`; the /mcp endpoint maps them to JSON-RPC errors with `toJsonRpcError`.
 */
export type McpErrorKind =
  | 'not_found'
  | 'disabled'
  | 'crashloop'
  | 'unavailable'
  | 'timeout'
  | 'tool_not_found'
  | 'method_not_allowed'
  | 'upstream'
  | 'overloaded'
  | 'shutting_down';

export class McpGatewayError extends Error {
  constructor(
    readonly kind: McpErrorKind,
    message: string,
    readonly data: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'McpGatewayError';
  }
}

export function toSutazaiError(err: unknown): unknown {
  if (!(err instanceof McpGatewayError)) return err;
  const d = err.data;
  const retry = (s: unknown) => ({ headers: { 'retry-after': String(s ?? 1) } });
  switch (err.kind) {
    case 'not_found':
      return new SutazaiError('SUTAZAI_ERR_MCP_SERVER_NOT_FOUND', d);
    case 'disabled':
      return new SutazaiError('SUTAZAI_ERR_MCP_SERVER_DISABLED', d);
    case 'crashloop':
      return new SutazaiError('SUTAZAI_ERR_MCP_CRASHLOOP', d, { ...retry(d.retryAfter), details: d });
    case 'unavailable':
      return new SutazaiError('SUTAZAI_ERR_MCP_UNAVAILABLE', d, retry(d.retryAfter));
    case 'timeout':
      return new SutazaiError('SUTAZAI_ERR_MCP_CALL_TIMEOUT', d);
    case 'tool_not_found':
      return new SutazaiError('SUTAZAI_ERR_MCP_TOOL_NOT_FOUND', d);
    case 'method_not_allowed':
      return new SutazaiError('SUTAZAI_ERR_MCP_METHOD_NOT_ALLOWED', d);
    case 'upstream':
      return new SutazaiError('SUTAZAI_ERR_MCP_UPSTREAM_ERROR', d, { details: { data: d.upstreamData } });
    case 'overloaded':
      return new SutazaiError('SUTAZAI_ERR_OVERLOADED', d, retry(d.retryAfter));
    case 'shutting_down':
      return new SutazaiError('SUTAZAI_ERR_SHUTTING_DOWN', {}, retry(5));
  }
}

/** fetch() failing below HTTP (refused, reset, socket closed): undici's TypeError with a cause. */
export function isNetworkError(err: unknown): err is TypeError {
  return err instanceof TypeError && err.message.startsWith('fetch failed');
}

/** Classifies an error the SDK client raised for a call into a gateway error. */
export function fromUpstream(err: unknown, server: string, method: string, timeoutMs: number): unknown {
  if (err instanceof McpGatewayError) return err;
  if (hasSdkBrand(err, 'mcp.SdkError')) {
    if (err.code === 'REQUEST_TIMEOUT')
      return new McpGatewayError('timeout', err.message, { name: server, method, timeoutMs }, { cause: err });
    return new McpGatewayError(
      'unavailable',
      err.message,
      { name: server, reason: err.message },
      { cause: err },
    );
  }
  if (isNetworkError(err)) {
    // An HTTP upstream we cannot reach (refused, reset, closed mid-request).
    const cause = (err.cause as { message?: string; code?: string } | undefined) ?? {};
    const reason = `cannot reach ${server}: ${cause.code ?? cause.message ?? err.message}`;
    return new McpGatewayError(
      'unavailable',
      reason,
      { name: server, reason, retryAfter: 1 },
      { cause: err },
    );
  }
  if (hasSdkBrand(err, 'mcp.ProtocolError')) {
    const reason = plainMessage(err.message);
    return new McpGatewayError(
      'upstream',
      reason,
      { name: server, method, upstreamCode: err.code, reason, upstreamData: err.data },
      { cause: err },
    );
  }
  return err;
}

/** The /mcp code for "the gateway cannot serve this now; retry after `data.retryAfter` seconds". */
export const RETRY_LATER = -32005;
export const RETRY_LATER_KINDS: ReadonlySet<McpErrorKind> = new Set([
  'overloaded',
  'crashloop',
  'unavailable',
  'shutting_down',
]);

/**
 * A message without the "MCP error <code>: " prefixes SDK v1 puts into `message` itself: relayed
 * as-is, a v1 client adds its own and the person reads "MCP error -32602: MCP error -32602: …".
 */
export function plainMessage(message: string): string {
  return message.replace(/^(?:MCP error -?\d+: )+/, '');
}

/** What an SDK error carries (SdkError: a string code; ProtocolError: a JSON-RPC code and data). */
interface SdkErrorShape extends Error {
  code: unknown;
  data?: unknown;
}

/**
 * `err instanceof SdkError` / `ProtocolError` without loading the SDK (about 15 MB of RSS, loaded
 * only once a server is declared or a /mcp session opens): the SDK stamps each of its errors with
 * its class brands under this global symbol, which is what its own `instanceof` checks read.
 */
const SDK_BRANDS = Symbol.for('mcp.sdk.errorBrands');
export function hasSdkBrand(err: unknown, brand: string): err is SdkErrorShape {
  if (!(err instanceof Error)) return false;
  const brands = (err as unknown as Record<symbol, unknown>)[SDK_BRANDS];
  return brands instanceof Set && brands.has(brand);
}
