import { z } from 'zod';

/**
 * The one configuration schema. Every default lives here. `sutazai.yaml` (optional) is parsed
 * into this shape, environment variables override single keys (see ENV_KEYS in load.ts), and the
 * result is validated once at start. Areas own a section each.
 */
const port = z.coerce.number().int().min(0).max(65535);
const positiveMs = z.coerce.number().int().positive();
const bool = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
]);

export const HttpConfigSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: port.default(10010),
  bodyLimitBytes: z.coerce
    .number()
    .int()
    .positive()
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  requestTimeoutMs: positiveMs.default(30_000),
  /** Where the dashboard/API is reachable from a browser; used only for CORS when set. */
  corsOrigin: z.string().optional(),
});

export const AuthConfigSchema = z.strictObject({
  enabled: bool.default(true),
  adminUsername: z.string().min(1).default('admin'),
  /** Used only on first start, when no admin exists; never logged. */
  adminPassword: z.string().min(12, 'must be at least 12 characters').optional(),
  accessTokenTtlSeconds: z.coerce.number().int().positive().default(900),
  refreshTokenTtlSeconds: z.coerce
    .number()
    .int()
    .positive()
    .default(7 * 24 * 3600),
});

export const RateLimitRuleSchema = z.strictObject({
  max: z.coerce.number().int().positive(),
  windowSeconds: z.coerce.number().int().positive(),
});

export const RateLimitConfigSchema = z.strictObject({
  login: RateLimitRuleSchema.default({ max: 10, windowSeconds: 60 }),
  /** Routes that cost real work (task creation, chat, tool calls), per credential. */
  expensive: RateLimitRuleSchema.default({ max: 600, windowSeconds: 60 }),
});

export const QueueConfigSchema = z.strictObject({
  /** Pending tasks past which POST /tasks answers 503 with Retry-After. */
  maxPending: z.coerce.number().int().positive().default(100_000),
  leaseSeconds: z.coerce.number().int().positive().default(30),
  maxAttempts: z.coerce.number().int().positive().max(100).default(5),
  backoffBaseMs: positiveMs.default(1000),
  backoffMaxMs: positiveMs.default(5 * 60_000),
});

export const WorkerConfigSchema = z.strictObject({
  enabled: bool.default(true),
  concurrency: z.coerce.number().int().positive().max(256).default(4),
  pollIntervalMs: positiveMs.default(500),
  /** How long shutdown waits for in-flight tasks before releasing their leases. */
  drainTimeoutMs: positiveMs.default(5000),
});

export const DatabaseConfigSchema = z.strictObject({
  /** When set: a real PostgreSQL. When not: embedded PGlite in `<dataDir>/pgdata`. */
  url: z.string().url().optional(),
  poolMax: z.coerce.number().int().positive().max(200).default(10),
  statementTimeoutMs: positiveMs.default(30_000),
});

// --- llm (agents & LLM issue) ---------------------------------------------------------------
/**
 * OLLAMA_HOST is often written the way Ollama itself reads it: `0.0.0.0:11434`, `host:port` or a
 * bare host. Add the scheme and default port, and dial a wildcard bind address on loopback.
 */
function normalizeOllamaHost(value: unknown): unknown {
  if (typeof value !== 'string' || value === '' || /^https?:\/\//.test(value)) return value;
  if (value.startsWith('[')) return `http://${value.includes(']:') ? value : `${value}:11434`}`;
  const [host = '127.0.0.1', port = '11434'] = value.split(':');
  return `http://${host === '0.0.0.0' || host === '' ? '127.0.0.1' : host}:${port}`;
}

export const LlmBackendSchema = z.strictObject({
  url: z.string().url(),
  kind: z.enum(['ollama', 'openai']).default('ollama'),
  /** Models this backend serves; empty means "any model not claimed by another backend". */
  models: z.array(z.string().min(1)).default([]),
  /** Concurrent requests per model on this backend; defaults to llm.modelParallel. */
  maxParallel: z.coerce.number().int().positive().max(256).optional(),
  /** Name of an environment variable holding a bearer key (OpenAI-compatible servers). */
  apiKeyEnv: z.string().optional(),
});

export const AgentBudgetsSchema = z.strictObject({
  maxSteps: z.coerce.number().int().positive().max(1000).default(16),
  maxTokens: z.coerce.number().int().positive().default(64_000),
  maxWallMs: positiveMs.default(10 * 60_000),
  toolTimeoutMs: positiveMs.default(30_000),
});

export const HttpFetchToolSchema = z.strictObject({
  /** Hosts or IP literals allowed even when they resolve to loopback/private/link-local addresses. */
  allowPrivateHosts: z.array(z.string().min(1)).default([]),
  maxBytes: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  timeoutMs: positiveMs.default(10_000),
  maxRedirects: z.coerce.number().int().min(0).max(10).default(3),
});

export const LlmConfigSchema = z.strictObject({
  /** The default backend (named `ollama`) unless `backends` names one with the same name. */
  ollamaHost: z.preprocess(normalizeOllamaHost, z.string().url()).default('http://127.0.0.1:11434'),
  defaultModel: z.string().min(1).default('tinyllama'),
  backends: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,32}$/), LlmBackendSchema).default({}),
  /** Per-model concurrency, like OLLAMA_NUM_PARALLEL: our backlog waits here, not in Ollama. */
  modelParallel: z.coerce.number().int().positive().max(256).default(2),
  /** Callers waiting for a model slot past which new calls get 503 + Retry-After. */
  maxQueuePerModel: z.coerce.number().int().min(0).max(100_000).default(64),
  queueTimeoutMs: positiveMs.default(60_000),
  connectTimeoutMs: positiveMs.default(10_000),
  /** Includes model load time on a cold Ollama. */
  firstTokenTimeoutMs: positiveMs.default(120_000),
  idleTimeoutMs: positiveMs.default(60_000),
  retries: z.coerce.number().int().min(0).max(10).default(2),
  retryBaseMs: positiveMs.default(250),
  breakerFailureThreshold: z.coerce.number().int().positive().default(5),
  breakerOpenMs: positiveMs.default(30_000),
  cacheMaxEntries: z.coerce.number().int().min(0).default(1000),
  cacheTtlSeconds: z.coerce.number().int().positive().default(600),
  batchParallel: z.coerce.number().int().positive().max(64).default(4),
  agent: AgentBudgetsSchema.default(AgentBudgetsSchema.parse({})),
  httpFetch: HttpFetchToolSchema.default(HttpFetchToolSchema.parse({})),
});
export type LlmConfig = z.infer<typeof LlmConfigSchema>;
export type LlmBackendConfig = z.infer<typeof LlmBackendSchema>;
export type AgentBudgets = z.infer<typeof AgentBudgetsSchema>;
export type HttpFetchToolConfig = z.infer<typeof HttpFetchToolSchema>;

// --- mcp (MCP gateway issue) ----------------------------------------------------------------
export const McpConfigSchema = z.strictObject({
  /** Path of the `.mcp.json` file; relative to the working directory. */
  configPath: z.string().default('.mcp.json'),
});

// --- doctor (doctor issue) ------------------------------------------------------------------
export const DoctorConfigSchema = z.strictObject({
  enabled: bool.default(false),
});

export const ConfigSchema = z.strictObject({
  dataDir: z.string().min(1).default('.sutazai'),
  agentsDir: z.string().min(1).default('agents'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Redis is optional; when set, rate limits and the chat cache are shared across processes. */
  redisUrl: z.string().url().optional(),
  http: HttpConfigSchema.default(HttpConfigSchema.parse({})),
  auth: AuthConfigSchema.default(AuthConfigSchema.parse({})),
  rateLimit: RateLimitConfigSchema.default(RateLimitConfigSchema.parse({})),
  database: DatabaseConfigSchema.default(DatabaseConfigSchema.parse({})),
  queue: QueueConfigSchema.default(QueueConfigSchema.parse({})),
  worker: WorkerConfigSchema.default(WorkerConfigSchema.parse({})),
  llm: LlmConfigSchema.default(LlmConfigSchema.parse({})),
  mcp: McpConfigSchema.default(McpConfigSchema.parse({})),
  doctor: DoctorConfigSchema.default(DoctorConfigSchema.parse({})),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Key paths whose values are secrets: redacted by `config print` and never logged. */
export const SECRET_PATHS = ['auth.adminPassword', 'database.url', 'redisUrl'] as const;
