import { z } from 'zod';

/**
 * The one configuration schema. Every default lives here. `sutazai.yaml` (optional) is parsed
 * into this shape, environment variables override single keys (see ENV_KEYS in load.ts), and the
 * result is validated once at start. Areas own a section each.
 */
const PORT_MESSAGE = 'must be a port number (1-65535), or 0 for any free port';
const port = z.coerce
  .number({ error: PORT_MESSAGE })
  .int({ error: PORT_MESSAGE })
  .min(0, { error: PORT_MESSAGE })
  .max(65535, { error: PORT_MESSAGE });
/** A list in YAML, or comma-separated in an environment variable. */
const nameList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : v,
  z.array(z.string().min(1)),
);
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
  /**
   * Public names (or addresses) the server is reached by, besides its bind address and the
   * localhost names: any other Host header gets 421 and any other browser Origin 403 (DNS
   * rebinding defence, docs/auth.md).
   */
  allowedHosts: nameList
    .default([])
    .describe('public names besides localhost and the bind address; other Host headers get 421'),
  /**
   * Who may read /metrics: `auto` is public on a loopback bind and needs credentials on any
   * other; `public` and `user` say so explicitly.
   */
  metricsAccess: z
    .enum(['auto', 'public', 'user'])
    .default('auto')
    .describe('/metrics: auto = public on a loopback bind, credentials on any other'),
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
  /**
   * Worker-side transitions skip the WAL-flush wait. `auto`: only on an external PostgreSQL, which
   * outlives our process; never on the embedded database, where our crash is its crash (see
   * docs/queue.md). `true` without database.url is refused.
   */
  asyncWorkerCommits: z.union([z.literal('auto'), bool]).default('auto'),
  /**
   * How long a task waits, without spending attempts, for a backend that is down (model server
   * unreachable, breaker open) before it is dead.
   */
  backendWaitMaxMs: positiveMs.default(60 * 60_000),
});

export const WorkerConfigSchema = z.strictObject({
  enabled: bool.default(true),
  concurrency: z.coerce.number().int().positive().max(256).default(4),
  pollIntervalMs: positiveMs.default(500),
  /** How long shutdown waits for in-flight tasks before releasing their leases. */
  drainTimeoutMs: positiveMs.default(5000),
  /**
   * Most tasks a worker claims ahead of its free slots into its local buffer (0: none). The
   * buffer's size within this bound follows the measured handler time (docs/queue.md).
   */
  claimBufferMax: z.coerce.number().int().min(0).max(5000).default(500),
  /**
   * A buffered task not started within this time (all handler slots busy) goes back to the
   * queue with the whole buffer: the bound on how long a higher-priority task waits behind a
   * full buffer. At most a third of queue.leaseSeconds.
   */
  claimBufferHoldMs: positiveMs.default(1000),
  /**
   * The worker role's own listener for /health, /ready, /api/v1/health/detailed and /metrics on
   * http.host; 0 = none (the default: several workers on one host would fight over one port).
   */
  metricsPort: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(0)
    .describe('worker role: port of its health and metrics listener on http.host; 0 = off'),
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

// --- outbound (connections made on a user's behalf; decision 0017) ---------------------------
const commaList = (value: unknown): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : value;

export const OutboundConfigSchema = z.strictObject({
  /**
   * Host names, IP literals or CIDRs (`db.lan`, `10.1.2.3`, `10.0.0.0/8`, `fd00::/8`) that tasks
   * submitted by non-admin users may reach although they are loopback, private, link-local or
   * metadata addresses. Admins' tasks may reach any address. Env: comma-separated.
   */
  allow: z.preprocess(commaList, z.array(z.string().min(1).max(300)).max(1000)).default([]),
});
export type OutboundConfig = z.infer<typeof OutboundConfigSchema>;

// --- agents (agent registry issue) ---------------------------------------------------------
export const AgentsConfigSchema = z.strictObject({
  /** Sync `agentsDir` into the registry at start. */
  syncOnStart: bool.default(true),
  /** An agent whose last heartbeat is older than this is marked offline. */
  staleAfterMs: positiveMs.default(120_000),
  /** How often the stale-heartbeat sweep runs. */
  staleSweepIntervalMs: positiveMs.default(30_000),
});

// --- mcp (MCP gateway issue) ----------------------------------------------------------------
export const McpConfigSchema = z.strictObject({
  /** Path of the `.mcp.json` file; relative to the working directory. */
  configPath: z.string().default('.mcp.json'),
  /** Cap on MCP child processes across all servers; starting one more answers 503. */
  maxProcesses: z.coerce.number().int().positive().max(1000).default(32),
  /** Default per-call timeout; progress notifications from the server extend it. */
  callTimeoutMs: positiveMs.default(60_000),
  /** Ceiling for one call however much progress it reports. */
  callMaxTotalMs: positiveMs.default(10 * 60_000),
  /** How long a started server may take to spawn and finish the MCP handshake. */
  startTimeoutMs: positiveMs.default(30_000),
  /** Ping interval; a server is healthy only if it answered a ping within this interval. */
  probeIntervalMs: positiveMs.default(15_000),
  /** Default idle time after which an instance with no calls is stopped (0 = never). */
  idleTimeoutMs: z.coerce
    .number()
    .int()
    .min(0)
    .default(10 * 60_000),
  /** SIGTERM to the process group, then SIGKILL after this grace. */
  killGraceMs: positiveMs.default(3000),
  /** CrashLoopBackOff: first delay, doubling up to the cap, reset after `backoffResetMs` up. */
  backoffBaseMs: positiveMs.default(10_000),
  backoffMaxMs: positiveMs.default(300_000),
  backoffResetMs: positiveMs.default(10 * 60_000),
  /** Default in-flight calls per instance before calls queue. */
  maxInFlightPerInstance: z.coerce.number().int().positive().max(10_000).default(16),
  /** Calls waiting for a free slot per server before 503. */
  maxQueuedPerServer: z.coerce.number().int().min(0).max(100_000).default(256),
  /** Lines of stderr kept per server. */
  stderrLines: z.coerce.number().int().positive().max(10_000).default(200),
  /** Concurrent /mcp client sessions; at the cap the least recently used idle one is evicted. */
  maxSessions: z.coerce.number().int().positive().max(10_000).default(256),
  /** /mcp sessions one principal (API key, user; anonymous: client address) may hold. */
  maxSessionsPerPrincipal: z.coerce.number().int().positive().max(10_000).default(32),
  /** A /mcp session with no open event stream and no request expires after this idle time. */
  sessionIdleMs: positiveMs.default(5 * 60_000),
  /**
   * Stateless 2026-07-28 requests: how long an upstream call that asked for client input (turned
   * into an `input_required` result) waits for the client's retry before it is cancelled upstream.
   */
  inputWaitMs: positiveMs.default(60_000),
  /** How long a call waits for a free process slot before failing with an overload error. */
  slotWaitMs: positiveMs.default(10_000),
  /** Debounce for `.mcp.json` change events; 0 disables hot reload. */
  reloadDebounceMs: z.coerce.number().int().min(0).default(250),
  /** Whether POST .../tools/{tool}/call and execute tools/call need the admin role. */
  callsNeedAdmin: bool.default(false),
  /**
   * The gateway process (`sutazai up --role gateway`) api and worker processes reach MCP tools
   * through; when set they spawn no MCP server themselves (docs/operations.md, decision 0066).
   */
  gatewayUrl: z
    .string()
    .url()
    .optional()
    .describe('base URL of the gateway role; unset: run MCP servers in process'),
  /**
   * The internal credential between api/worker processes and the gateway: it lists and calls MCP
   * tools and nothing else. Required on the gateway role and wherever gatewayUrl is set.
   */
  gatewayToken: z
    .string()
    .min(32)
    .max(512)
    .optional()
    .describe('internal credential (>= 32 characters); secret'),
  /** Calls one process has open to the gateway at once; more wait up to slotWaitMs, then fail. */
  gatewayMaxInFlight: z.coerce.number().int().positive().max(1000).default(32),
  /** Timeout of a tool listing or health probe to the gateway; a tool call gets its own timeout plus this. */
  gatewayTimeoutMs: positiveMs.default(10_000),
});

export type McpConfig = z.infer<typeof McpConfigSchema>;

// --- doctor (doctor issue) ------------------------------------------------------------------
const doctorLimit = z.strictObject({
  /** Compose byte syntax: `512M`, `1G`. */
  memory: z.string().regex(/^\d+(\.\d+)?[bkmgt]?b?$/i, 'use compose byte syntax, e.g. 512M'),
  cpus: z.coerce.number().positive().max(1024),
});
const severity = z.enum(['critical', 'high', 'medium', 'low', 'info']);

export const DoctorConfigSchema = z.strictObject({
  /** Runs `doctor watch` inside `sutazai up`. */
  enabled: bool.default(false),
  /** Docker endpoint; defaults to DOCKER_HOST or unix:///var/run/docker.sock. */
  dockerHost: z.string().optional(),
  dockerTimeoutMs: positiveMs.default(10_000),
  composeFiles: z.array(z.string()).default([]),
  projectName: z.string().optional(),
  /**
   * Only containers whose name matches this (Docker's name filter): the audits, fixes and
   * rollbacks of the API and of `doctor watch` never see or touch any other container on the engine.
   */
  nameFilter: z.string().min(1).max(200).optional(),
  registryFile: z.string().optional(),
  failOn: severity.default('high'),
  /** Limits the fix applies when no usage history exists, by service kind. */
  defaultLimits: z
    .strictObject({
      database: doctorLimit.default({ memory: '1G', cpus: 1 }),
      cache: doctorLimit.default({ memory: '256M', cpus: 0.5 }),
      llm: doctorLimit.default({ memory: '4G', cpus: 4 }),
      agent: doctorLimit.default({ memory: '1G', cpus: 1 }),
      node: doctorLimit.default({ memory: '512M', cpus: 1 }),
      monitoring: doctorLimit.default({ memory: '512M', cpus: 0.5 }),
      default: doctorLimit.default({ memory: '512M', cpus: 0.5 }),
    })
    .default({
      database: { memory: '1G', cpus: 1 },
      cache: { memory: '256M', cpus: 0.5 },
      llm: { memory: '4G', cpus: 4 },
      agent: { memory: '1G', cpus: 1 },
      node: { memory: '512M', cpus: 1 },
      monitoring: { memory: '512M', cpus: 0.5 },
      default: { memory: '512M', cpus: 0.5 },
    }),
  /** Observed peak × headroom becomes the memory limit when the history suffices. */
  limitHeadroom: z.coerce.number().min(1).max(10).default(1.5),
  /** No memory limit the fix derives goes below this (per-kind floors may be higher). */
  limitFloor: z
    .string()
    .regex(/^\d+(\.\d+)?[bkmgt]?b?$/i, 'use compose byte syntax, e.g. 128M')
    .default('128M'),
  /** History needed before a limit is derived from usage; below it, the per-kind default applies. */
  limitHistory: z
    .strictObject({
      minHours: z.coerce.number().min(0).default(24),
      minSamples: z.coerce.number().int().min(1).default(24),
    })
    .default({ minHours: 24, minSamples: 24 }),
  /** Volumes up to this size are saved as a tar before the fix removes them (0: never). */
  volumeBackupMaxBytes: z.coerce
    .number()
    .int()
    .min(0)
    .default(256 * 1024 * 1024),
  processBudgets: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        match: z.string().min(1),
        max: z.coerce.number().int().min(0),
      }),
    )
    .default([{ name: 'MCP servers', match: 'mcp-server|modelcontextprotocol|mcp_server', max: 10 }]),
  memoryPressureRatio: z.coerce.number().gt(0).max(1).default(0.9),
  restartLoop: z
    .strictObject({
      minExits: z.coerce.number().int().positive().default(3),
      windowSeconds: z.coerce.number().int().positive().default(600),
      shortRunSeconds: z.coerce.number().int().positive().default(60),
    })
    .default({ minExits: 3, windowSeconds: 600, shortRunSeconds: 60 }),
  /** Every suppression needs a reason; suppressed findings stay visible as suppressed. */
  suppressions: z
    .array(
      z.strictObject({
        rule: z.string().min(1),
        service: z.string().optional(),
        project: z.string().optional(),
        reason: z.string().trim().min(1, 'a suppression needs a reason'),
      }),
    )
    .default([]),
  webhooks: z
    .array(
      z.strictObject({
        url: z.string().url(),
        /** `slack`: {"text"}; `json`: the finding event as JSON. */
        format: z.enum(['slack', 'json']).default('json'),
        minSeverity: severity.default('high'),
      }),
    )
    .default([]),
  watch: z
    .strictObject({
      intervalMs: positiveMs.default(60_000),
      /** Kept for old configs; ignored: alerts are de-duplicated per episode of a finding. */
      dedupeMs: positiveMs.default(3_600_000),
      restartUnhealthy: bool.default(false),
      /** Undelivered alerts retry with backoff from this delay, doubling up to alertRetryMaxMs. */
      alertRetryMinMs: positiveMs.default(5_000),
      alertRetryMaxMs: positiveMs.default(300_000),
    })
    .default({
      intervalMs: 60_000,
      dedupeMs: 3_600_000,
      restartUnhealthy: false,
      alertRetryMinMs: 5_000,
      alertRetryMaxMs: 300_000,
    }),
  restartBudget: z
    .strictObject({
      max: z.coerce.number().int().min(0).default(3),
      windowSeconds: z.coerce.number().int().positive().default(3600),
      backoffMinMs: positiveMs.default(10_000),
      backoffMaxMs: positiveMs.default(300_000),
    })
    .default({ max: 3, windowSeconds: 3600, backoffMinMs: 10_000, backoffMaxMs: 300_000 }),
  /** After `fix --apply`: how long to watch touched containers before keeping the change. */
  verify: z
    .strictObject({ windowMs: positiveMs.default(30_000), pollMs: positiveMs.default(2000) })
    .default({ windowMs: 30_000, pollMs: 2000 }),
});
export type DoctorConfig = z.infer<typeof DoctorConfigSchema>;

// --- backup (issue 13; docs/backup.md) --------------------------------------------------------
export const BackupConfigSchema = z.strictObject({
  /** Where backups are written; default `<dataDir>/backups`. Kept 0700: backups hold secrets' hashes. */
  dir: z.string().min(1).optional().describe('backup directory (default <dataDir>/backups)'),
  /** Scheduled backups inside `sutazai up` every this many minutes; 0 = off (the default, decision 0060). */
  intervalMinutes: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(0)
    .describe('scheduled backups in `up` every N minutes; 0 = off'),
  /** Scheduled backups keep this many newest backups; `backup prune` defaults to it too. */
  retain: z.coerce
    .number()
    .int()
    .positive()
    .max(1000)
    .default(7)
    .describe('backups kept by schedule and prune'),
});
export type BackupConfig = z.infer<typeof BackupConfigSchema>;
// --- optimizer (hardware optimizer issue) ------------------------------------------------------
/** The CPU placement rule (docs/optimizer.md "CPU placement"): thresholds are fractions of one CPU. */
export const PlacementConfigSchema = z.strictObject({
  /** History the per-core and per-container CPU statistics cover (at most 30 days). */
  windowMs: positiveMs.max(30 * 86_400_000).default(86_400_000),
  /** A container whose p95 CPU use reaches this many cores is hot. */
  hotCores: z.coerce.number().positive().max(1024).default(0.5),
  /** A core whose mean busy fraction reaches this is busy. */
  busyCore: z.coerce.number().positive().max(1).default(0.7),
  /** A core whose mean busy fraction stays under this is idle. */
  idleCore: z.coerce.number().positive().max(1).default(0.2),
  /** Busiest minus idlest core mean at or above this is an imbalance. */
  imbalance: z.coerce.number().positive().max(1).default(0.5),
  /** Fewer samples than this per core (or container) is not enough evidence. */
  minSamples: z.coerce.number().int().min(1).default(20),
  /** Containers whose p95 CPU use is under this many cores are left unpinned by the suggestion. */
  pinMinCores: z.coerce.number().min(0).max(1024).default(0.1),
});
export type PlacementConfig = z.infer<typeof PlacementConfigSchema>;
export const OptimizerConfigSchema = z.strictObject({
  /** Runs the resource sampler inside `sutazai up` (not in --role worker processes). */
  enabled: bool.default(true),
  /** How often every source is sampled. */
  intervalMs: z.coerce.number().int().min(1000).max(3_600_000).default(15_000),
  /** Series the store accepts; samples of new series past the cap are dropped and counted. */
  maxSeries: z.coerce.number().int().positive().max(100_000).default(2000),
  /** Per-source timeout (Docker engine, Ollama /api/ps). */
  sourceTimeoutMs: positiveMs.default(5000),
  /** Roots of the kernel's files, for tests with fixture trees. */
  procRoot: z.string().min(1).default('/proc'),
  sysRoot: z.string().min(1).default('/sys'),
  cgroupRoot: z.string().min(1).default('/sys/fs/cgroup'),
  /** Sample containers of the Docker engine (doctor.dockerHost / DOCKER_HOST). */
  containers: bool.default(true),
  /** Sample models loaded in the default Ollama backend (llm.ollamaHost /api/ps). */
  models: bool.default(true),
  forecast: z
    .strictObject({
      /** History the trend is fitted on. */
      windowMs: positiveMs.default(86_400_000),
      /** How far ahead the forecast looks. */
      horizonMs: positiveMs.default(21_600_000),
      /** Less history than this (first to last point in the window) → not enough evidence. */
      minHistoryMs: positiveMs.default(7_200_000),
      /** Fewer points than this → not enough evidence. */
      minPoints: z.coerce.number().int().min(3).default(30),
      /** Robust residual spread over the mean level above this → not enough evidence (poor fit). */
      maxRelativeError: z.coerce.number().positive().default(0.25),
      /**
       * The level moving around the trend (range of the residuals' running median) by more than
       * this share of the mean level, and by more than the trend moves over the window → not
       * enough evidence (level shifts, bursts).
       */
      maxLevelShift: z.coerce.number().positive().default(0.2),
      /** Width of the prediction interval, as a two-sided normal quantile (1.96 ≈ 95 %). */
      intervalZ: z.coerce.number().positive().max(10).default(1.96),
    })
    .default({
      windowMs: 86_400_000,
      horizonMs: 21_600_000,
      minHistoryMs: 7_200_000,
      minPoints: 30,
      maxRelativeError: 0.25,
      maxLevelShift: 0.2,
      intervalZ: 1.96,
    }),
  placement: PlacementConfigSchema.default(PlacementConfigSchema.parse({})),
  /** Right-sizing (docs/optimizer.md, "Recommendations"). */
  recommend: z
    .strictObject({
      /** History the peak and p95 are read from. */
      windowMs: positiveMs.default(604_800_000),
      /** Memory = peak × (1 + margin). */
      margin: z.coerce.number().min(0).max(10).default(0.15),
      /** Less history than this (first to last sample in the window) → no recommendation. */
      minHistoryMs: positiveMs.default(86_400_000),
      /** Fewer samples than this → no recommendation. */
      minSamples: z.coerce.number().int().min(2).default(24),
      /** Also propose a CPU limit at p95 × (1 + margin); off: CPU is reported, never limited. */
      cpuLimit: bool.default(false),
      /** A proposal within this fraction of the current value is not worth a change. */
      minChange: z.coerce.number().min(0).max(1).default(0.05),
      /** Share of host memory Ollama's loaded models may take (OLLAMA_MAX_LOADED_MODELS, NUM_PARALLEL). */
      ollamaMemoryShare: z.coerce.number().gt(0).max(1).default(0.75),
      /** Upper bound of the proposed OLLAMA_NUM_PARALLEL. */
      ollamaMaxParallel: z.coerce.number().int().min(1).max(64).default(4),
    })
    .default({
      windowMs: 604_800_000,
      margin: 0.15,
      minHistoryMs: 86_400_000,
      minSamples: 24,
      cpuLimit: false,
      minChange: 0.05,
      ollamaMemoryShare: 0.75,
      ollamaMaxParallel: 4,
    }),
  /**
   * Auto mode (docs/optimizer.md, "Auto mode"; decision 0076): applies stepwise memory steps
   * unattended inside `sutazai up`. Off by default; `sutazai optimize auto off` pauses it live.
   */
  auto: z
    .strictObject({
      enabled: bool.default(false),
      /** How often a tick builds the step plan and applies what it allows. */
      intervalMs: z.coerce.number().int().min(60_000).max(604_800_000).default(3_600_000),
      /** Target kinds it may change: container memory limits, MCP servers' memory budgets. */
      kinds: z
        .array(z.enum(['container', 'mcp']))
        .max(2)
        .default(['container']),
    })
    .default({ enabled: false, intervalMs: 3_600_000, kinds: ['container'] }),
});
export type OptimizerConfig = z.infer<typeof OptimizerConfigSchema>;
/** The live events stream, GET /api/v1/events (decision 0031). */
export const EventsConfigSchema = z.strictObject({
  /** Events kept for Last-Event-ID resume; an older id answers `reset`. */
  replaySize: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** Bytes a stream may have written but not yet read by its client before it is dropped with `reconnect`. */
  bufferBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(256 * 1024),
  /** Open streams in all (429 past it). */
  maxStreams: z.coerce.number().int().positive().max(10_000).default(200),
  /** Open streams per user (or API key without an owner); 429 past it. */
  maxStreamsPerUser: z.coerce.number().int().positive().max(1000).default(8),
  /** A `: hb` comment this often keeps proxies and the client's idle timers from closing the stream. */
  heartbeatMs: positiveMs.default(15_000),
  /** The retry hint in the `reconnect` event a dropped slow consumer gets. */
  reconnectRetryMs: positiveMs.default(3000),
  /** How often health is re-checked for `health` events while any stream is open. */
  healthIntervalMs: positiveMs.default(5000),
});

export const ConfigSchema = z
  .strictObject({
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
    agents: AgentsConfigSchema.default(AgentsConfigSchema.parse({})),
    llm: LlmConfigSchema.default(LlmConfigSchema.parse({})),
    outbound: OutboundConfigSchema.default(OutboundConfigSchema.parse({})),
    mcp: McpConfigSchema.default(McpConfigSchema.parse({})),
    doctor: DoctorConfigSchema.default(DoctorConfigSchema.parse({})),
    backup: BackupConfigSchema.default(BackupConfigSchema.parse({})),
    optimizer: OptimizerConfigSchema.default(OptimizerConfigSchema.parse({})),
    events: EventsConfigSchema.default(EventsConfigSchema.parse({})),
  })
  .superRefine((config, ctx) => {
    if (config.queue.asyncWorkerCommits === true && !config.database.url)
      ctx.addIssue({
        code: 'custom',
        path: ['queue', 'asyncWorkerCommits'],
        message:
          'asynchronous commits need an external PostgreSQL (database.url): with the embedded database a crash of this process would undo acknowledged work; use auto or false',
      });
    if (config.mcp.gatewayUrl && !config.mcp.gatewayToken)
      ctx.addIssue({
        code: 'custom',
        path: ['mcp', 'gatewayToken'],
        message: 'mcp.gatewayUrl needs the internal credential the gateway was started with',
      });
  });

export type Config = z.infer<typeof ConfigSchema>;

/** Key paths whose values are secrets: redacted by `config print` and never logged. */
export const SECRET_PATHS = ['auth.adminPassword', 'database.url', 'redisUrl', 'mcp.gatewayToken'] as const;
