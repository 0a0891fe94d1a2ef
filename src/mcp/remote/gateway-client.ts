import {
  ToolBackendUnavailableError,
  type ToolCallOptions,
  type ToolDescriptor,
  type ToolProvider,
  type ToolResult,
} from '../../tools/types.js';
import { Slots, SlotsFullError } from './slots.js';

/** The internal routes the gateway role serves (src/http/routes/mcp-internal.ts). */
export const INTERNAL_TOOLS_PATH = '/internal/v1/mcp/tools';
export const INTERNAL_CALL_PATH = '/internal/v1/mcp/tools/call';
/** The header that carries the internal credential (never a user's bearer token). */
export const GATEWAY_TOKEN_HEADER = 'x-sutazai-gateway-token';
export const GATEWAY_BACKEND = 'mcp-gateway';

export interface GatewayClientOptions {
  /** Base URL of the gateway process. */
  url: string;
  token: string;
  /** Calls open to the gateway at once; 8 times as many may wait, each up to slotWaitMs. */
  maxInFlight: number;
  slotWaitMs: number;
  /** Listing and probe timeout; a call gets its own timeout plus this. */
  timeoutMs: number;
  /** A call's timeout when the caller gives none (mcp.callTimeoutMs). */
  callTimeoutMs: number;
}

/**
 * The MCP tools of the gateway process, over HTTP, behind the same ToolProvider interface as the
 * in-process gateway (McpToolProvider). Every request is bounded (slots, timeouts). A gateway
 * that cannot be reached, times out, refuses the credential or answers without a catalogue error
 * raises ToolBackendUnavailableError (the task waits for it); an error the gateway reports about
 * a tool or server (not found, crash loop, upstream error) raises a plain Error, which the agent
 * loop hands the model as a failed tool call, exactly as in one process.
 */
export class GatewayToolProvider implements ToolProvider {
  private readonly slots: Slots;

  constructor(private readonly options: GatewayClientOptions) {
    this.slots = new Slots(options.maxInFlight, options.maxInFlight * 8, options.slotWaitMs);
  }

  get url(): string {
    return this.options.url;
  }

  async listTools(signal?: AbortSignal): Promise<ToolDescriptor[]> {
    const body = await this.request<{ tools: ToolDescriptor[] }>(
      'GET',
      INTERNAL_TOOLS_PATH,
      undefined,
      this.options.timeoutMs,
      signal,
    );
    return body.tools;
  }

  async callTool(
    name: string,
    args: Record<string, unknown>,
    options: ToolCallOptions = {},
  ): Promise<ToolResult> {
    const timeoutMs = options.timeoutMs ?? this.options.callTimeoutMs;
    return this.request<ToolResult>(
      'POST',
      INTERNAL_CALL_PATH,
      { name, arguments: args, timeoutMs },
      timeoutMs + this.options.timeoutMs,
      options.signal,
    );
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<T> {
    const release = await this.slots.acquire().catch((err: unknown) => {
      throw err instanceof SlotsFullError ? this.unavailable(err.message) : err;
    });
    try {
      const res = await this.send(method, path, body, timeoutMs, signal);
      const parsed = (await res.json().catch(() => undefined)) as
        { error?: { code?: string; message?: string } } | undefined;
      if (res.ok && parsed) return parsed as T;
      const code = parsed?.error?.code;
      if (code === 'SUTAZAI_ERR_MCP_GATEWAY_CREDENTIAL' || !code)
        throw this.unavailable(`answered ${res.status}${code ? ` ${code}` : ''}`);
      throw new Error(`${code}: ${parsed?.error?.message ?? res.status}`);
    } finally {
      release();
    }
  }

  private async send(
    method: string,
    path: string,
    body: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Response> {
    const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
    try {
      return await fetch(new URL(path, this.options.url), {
        method,
        headers: {
          [GATEWAY_TOKEN_HEADER]: this.options.token,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.any(signals),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      const reason =
        (err as Error).name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : ((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message);
      throw this.unavailable(reason, err);
    }
  }

  private unavailable(reason: string, cause?: unknown): ToolBackendUnavailableError {
    return new ToolBackendUnavailableError(
      GATEWAY_BACKEND,
      'SUTAZAI_ERR_MCP_GATEWAY_UNAVAILABLE',
      `the MCP gateway at ${this.options.url} is unavailable: ${reason}`,
      cause === undefined ? {} : { cause },
    );
  }
}
