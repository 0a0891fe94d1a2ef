import type { Requester } from '../net/index.js';

/**
 * The tools interface agents call through. The built-in tools (http.fetch, time.now) implement it
 * in process; the MCP gateway implements it for every tool of every declared MCP server, under the
 * gateway's caps, timeouts and metrics. The agent runner sees only this.
 */
export interface ToolDescriptor {
  /** Unique across providers; matches ^[a-zA-Z0-9_.-]{1,64}$ (MCP tools are `server__tool`). */
  name: string;
  description: string;
  /** JSON Schema of the arguments object; validated (ajv) before every call. */
  inputSchema: Record<string, unknown>;
}

export interface ToolCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * The role of whoever the call is made for (the task's submitter): tools that connect somewhere
   * (http.fetch) let only admins reach private addresses. Unset counts as a user.
   */
  requester?: Requester;
}

export interface ToolResult {
  /** Text the model sees as the tool message. */
  content: string;
  isError: boolean;
  /** Structured result when the tool gave one. */
  structured?: unknown;
}

export interface ToolProvider {
  listTools(): Promise<ToolDescriptor[]>;
  callTool(name: string, args: Record<string, unknown>, options?: ToolCallOptions): Promise<ToolResult>;
}

/**
 * The provider itself cannot answer (the MCP gateway process is down or unreachable): not the
 * tool's failure and not the model's to repair. It propagates out of the agent loop, and the
 * runner defers the task until the backend may answer again (decision 0018), instead of handing
 * the model an error result or an empty tool list.
 */
export class ToolBackendUnavailableError extends Error {
  /** The tools of the providers that did answer (set by the registry's listing). */
  readonly available: ToolDescriptor[];

  constructor(
    /** The backend's name as tasks report it, e.g. `mcp-gateway`. */
    readonly backend: string,
    /** The catalogue code the message starts with (e.g. SUTAZAI_ERR_MCP_GATEWAY_UNAVAILABLE). */
    readonly code: string,
    readonly reason: string,
    options: { cause?: unknown; available?: ToolDescriptor[] } = {},
  ) {
    super(`${code}: ${reason}`, { cause: options.cause });
    this.name = 'ToolBackendUnavailableError';
    this.available = options.available ?? [];
  }
}
