/** The shapes every backend speaks after translation from its own wire format. */
export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
  /** Stable id; Ollama does not always send one, so the caller may assign it. */
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export interface ChatMessage {
  role: Role;
  content: string;
  tool_calls?: ToolCall[];
  /** On role "tool": which call this answers (OpenAI needs the id, Ollama the name). */
  tool_call_id?: string;
  tool_name?: string;
}

export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  /** Passed through to the backend (temperature, num_ctx, seed…). */
  options?: Record<string, unknown>;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface ChatStats {
  usage: Usage;
  done_reason: string;
  /** Milliseconds as reported by the backend (Ollama reports nanoseconds; converted). */
  total_ms: number;
  load_ms: number;
  prompt_eval_ms: number;
  eval_ms: number;
}

export type StreamEvent =
  | { type: 'delta'; content: string }
  | { type: 'tool_calls'; calls: ToolCall[] }
  | { type: 'done'; stats: ChatStats };

export interface ChatResult {
  model: string;
  message: ChatMessage;
  stats: ChatStats;
}

export interface ModelInfo {
  name: string;
  size?: number;
  modified_at?: string;
  digest?: string;
  details?: Record<string, unknown>;
}

export interface LoadedModel {
  name: string;
  size?: number;
  size_vram?: number;
  expires_at?: string;
}

export interface PullProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** One model server. Two implementations: Ollama's native API and OpenAI-compatible servers. */
export interface LlmBackend {
  readonly name: string;
  readonly kind: 'ollama' | 'openai';
  /** Streams one chat turn; the iterator ends after the `done` event or throws an LlmError. */
  chatStream(request: ChatRequest, options?: CallOptions): AsyncGenerator<StreamEvent>;
  listModels(options?: CallOptions): Promise<ModelInfo[]>;
  listLoaded(options?: CallOptions): Promise<LoadedModel[]>;
  pull(model: string, options?: CallOptions): AsyncGenerator<PullProgress>;
  embed(model: string, input: string[], options?: CallOptions): Promise<number[][]>;
  version(options?: CallOptions): Promise<string>;
}

export interface TimeoutSettings {
  connectTimeoutMs: number;
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
}
