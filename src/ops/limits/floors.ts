/**
 * Limits from evidence — one module the doctor's fix and the resource optimizer both import.
 *
 * A memory limit is derived from usage only when the history covers enough time: a few idle
 * samples say nothing about a database under load or a model server loading weights (the
 * issue's redis and ollama got 32 MiB from an idle peak and would have been OOM-killed later).
 * Without enough history the limit is the documented default for the service's kind. Either
 * way it is never below the kind's floor, nor below the global floor (default 128 MiB).
 */

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;

export const LIMIT_KINDS = ['database', 'cache', 'llm', 'agent', 'node', 'monitoring', 'default'] as const;
export type LimitKind = (typeof LIMIT_KINDS)[number];

export interface KindLimits {
  /** Used when the history is insufficient. */
  memoryBytes: number;
  cpus: number;
  /** No derived memory limit goes below this for the kind. */
  floorBytes: number;
}

/** The documented per-kind defaults and floors (docs/doctor.md, "Limits from evidence"). */
export const KIND_LIMITS: Readonly<Record<LimitKind, KindLimits>> = {
  database: { memoryBytes: 1 * GIB, cpus: 1, floorBytes: 256 * MIB },
  cache: { memoryBytes: 256 * MIB, cpus: 0.5, floorBytes: 128 * MIB },
  // Ollama and other model servers: the seed plan's 4G and 4 CPUs; a 1B model alone needs ~1.5G.
  llm: { memoryBytes: 4 * GIB, cpus: 4, floorBytes: 2 * GIB },
  agent: { memoryBytes: 1 * GIB, cpus: 1, floorBytes: 256 * MIB },
  node: { memoryBytes: 512 * MIB, cpus: 1, floorBytes: 192 * MIB },
  monitoring: { memoryBytes: 512 * MIB, cpus: 0.5, floorBytes: 128 * MIB },
  default: { memoryBytes: 512 * MIB, cpus: 0.5, floorBytes: 128 * MIB },
};

/** MCP servers are not compose services: no default limit, only a floor for their memory budget. */
export const MCP_MEMORY_FLOOR_BYTES = 64 * MIB;

/**
 * The one table of memory floors: the doctor's per-kind floors plus the MCP servers' floor. The
 * doctor's limit fix and the optimizer's recommendations both read it (decision 0046).
 */
export const MEMORY_FLOORS: Readonly<Record<LimitKind | 'mcp', number>> = {
  ...(Object.fromEntries(LIMIT_KINDS.map((k) => [k, KIND_LIMITS[k].floorBytes])) as Record<
    LimitKind,
    number
  >),
  mcp: MCP_MEMORY_FLOOR_BYTES,
};

export const DEFAULT_GLOBAL_FLOOR_BYTES = 128 * MIB;
/** At least a day of history: daily peaks (backups, batch jobs, model loads) must be in it. */
export const DEFAULT_MIN_HISTORY_MS = 24 * 3600_000;
/** At least this many samples in that window (one an hour at the least). */
export const DEFAULT_MIN_SAMPLES = 24;
export const DEFAULT_HEADROOM = 1.5;

const KIND_PATTERNS: Array<[LimitKind, RegExp]> = [
  ['llm', /ollama|\bllm|vllm|llama|localai|text-generation|tgi\b|model-?server|triton/],
  ['database', /postgres|mysql|mariadb|mongo|pgvector|timescale|clickhouse|neo4j|qdrant|chroma/],
  ['cache', /redis|memcache|valkey|keydb|dragonfly/],
  ['monitoring', /prometheus|grafana|alertmanager|loki|promtail|exporter|cadvisor|jaeger|tempo/],
  ['agent', /agent|mcp|worker/],
  ['node', /(^|[/\s])node(:|\s|$)|\bnode-|nodejs/],
];

/** The kind guessed from a service name and image; `default` when nothing matches. */
export function guessKind(service: string, image = ''): LimitKind {
  const hay = `${service} ${image}`.toLowerCase();
  return KIND_PATTERNS.find(([, re]) => re.test(hay))?.[0] ?? 'default';
}

export function isLimitKind(k: string): k is LimitKind {
  return (LIMIT_KINDS as readonly string[]).includes(k);
}

/** Memory use seen for one service over time (kept in the doctor's state). */
export interface UsageHistory {
  peakBytes: number;
  firstAt: number;
  lastAt: number;
  samples: number;
}

export interface EvidencePolicy {
  minHistoryMs: number;
  minSamples: number;
  headroom: number;
  globalFloorBytes: number;
}

export const DEFAULT_POLICY: EvidencePolicy = {
  minHistoryMs: DEFAULT_MIN_HISTORY_MS,
  minSamples: DEFAULT_MIN_SAMPLES,
  headroom: DEFAULT_HEADROOM,
  globalFloorBytes: DEFAULT_GLOBAL_FLOOR_BYTES,
};

/** Why a history is not enough, or null when it is. */
export function insufficiency(h: UsageHistory | undefined, policy: EvidencePolicy): string | null {
  if (!h || h.samples === 0) return 'no usage history';
  const span = h.lastAt - h.firstAt;
  if (span < policy.minHistoryMs || h.samples < policy.minSamples)
    return `only ${h.samples} sample(s) over ${formatSpan(span)} (needs ${policy.minSamples} over ${formatSpan(policy.minHistoryMs)})`;
  return null;
}

export function formatSpan(ms: number): string {
  if (ms >= 3600_000) return `${+(ms / 3600_000).toFixed(1)} h`;
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 1000)} s`;
}

export interface MemoryChoice {
  bytes: number;
  source: 'history' | 'kind-default';
  basis: string;
}

/**
 * The memory limit for a service: peak × headroom when the history suffices, else the kind's
 * default; never below max(kind floor, global floor). `defaults` overrides KIND_LIMITS (config).
 */
export function chooseMemoryLimit(
  kind: LimitKind,
  history: UsageHistory | undefined,
  policy: EvidencePolicy = DEFAULT_POLICY,
  defaults: Partial<Record<LimitKind, Partial<KindLimits>>> = {},
): MemoryChoice {
  const k = { ...KIND_LIMITS[kind], ...defaults[kind] };
  const floor = Math.max(k.floorBytes, policy.globalFloorBytes);
  const why = insufficiency(history, policy);
  if (why === null) {
    const derived = Math.ceil((history!.peakBytes * policy.headroom) / MIB) * MIB;
    const bytes = Math.max(floor, derived);
    return {
      bytes,
      source: 'history',
      basis: `peak ${mib(history!.peakBytes)} over ${formatSpan(history!.lastAt - history!.firstAt)} × ${policy.headroom}${bytes > derived ? `, raised to the ${kind} floor ${mib(floor)}` : ''}`,
    };
  }
  const bytes = Math.max(floor, k.memoryBytes);
  return { bytes, source: 'kind-default', basis: `default for ${kind} ${mib(bytes)}: ${why}` };
}

export function mib(bytes: number): string {
  return `${Math.round(bytes / MIB)} MiB`;
}

/** Adds one sample to a history (a new history when there is none). */
export function recordSample(h: UsageHistory | undefined, bytes: number, at: number): UsageHistory {
  if (!h) return { peakBytes: bytes, firstAt: at, lastAt: at, samples: 1 };
  return {
    peakBytes: Math.max(h.peakBytes, bytes),
    firstAt: Math.min(h.firstAt, at),
    lastAt: Math.max(h.lastAt, at),
    samples: h.samples + 1,
  };
}
