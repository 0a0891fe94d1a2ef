import type { McpConfig } from '../../config/schema.js';
import type { Queryable } from '../../db/types.js';
import { loadServers } from '../../mcp/config/load.js';
import { guessKind } from '../../ops/limits/floors.js';
import type { DockerClient } from '../../ops/sources/docker-types.js';
import type { ChangeEvidence, OptimizerPlan, PlanChange, PlanMode, PlanTarget } from '../plan-schema.js';
import { latestValue } from '../store/history.js';
import { HOST_MEMORY_TOTAL, seriesName } from '../types.js';
import { decideCpus, decideMemory, decideOllama, type RecommendConfig } from './decide.js';
import { readSeriesEvidence, subjectsOf, type SeriesEvidence } from './evidence.js';
import { lastSteps } from './step-log.js';
import { envOf, liveContainer, type LiveContainer } from './targets.js';

export interface PlanDeps {
  db: Queryable;
  config: RecommendConfig;
  docker?: DockerClient;
  /** The doctor's compose files (absolute), searched for a container's service. */
  composeFiles: readonly string[];
  /** `.mcp.json` (absolute) and the MCP defaults its entries are read with. */
  mcp: { configPath: string; defaults: McpConfig };
  now?: number;
}

/** Everything apply needs beyond the public change: the live container it acts on. */
export interface PlannedChange extends PlanChange {
  containerId?: string;
  project?: string;
}

export interface BuiltPlan extends Omit<OptimizerPlan, 'changes'> {
  changes: PlannedChange[];
}

function evidenceOf(e: SeriesEvidence | undefined, windowMs: number, extra: string[] = []): ChangeEvidence {
  if (!e) return { windowMs, samples: 0, series: extra };
  return {
    windowMs,
    samples: e.samples,
    peak: e.peak,
    p95: e.p95,
    ...(e.fit ? { fit: e.fit } : {}),
    series: [e.series, ...extra],
    historyMs: e.historyMs,
  };
}

class PlanBuilder {
  readonly changes: PlannedChange[] = [];
  readonly insufficient: OptimizerPlan['insufficient'] = [];
  constructor(
    readonly deps: PlanDeps,
    readonly mode: PlanMode,
    readonly now: number,
    readonly steps: Map<string, number>,
  ) {}

  memory(
    target: PlanTarget,
    e: SeriesEvidence | undefined,
    current: number | null,
    floorKind: string,
    extra: Partial<PlannedChange> = {},
  ) {
    const key = `${target.kind}:${target.name}`;
    const lastStepAt = this.steps.get(key);
    const d = decideMemory(
      {
        evidence: e,
        current,
        floorKind,
        mode: this.mode,
        ...(lastStepAt !== undefined ? { lastStepAt } : {}),
        now: this.now,
        what: target.kind === 'mcp' ? 'budget' : 'limit',
      },
      this.deps.config,
    );
    if (d.kind === 'insufficient')
      this.insufficient.push({ target: { kind: target.kind, name: target.name }, reason: d.reason });
    if (d.kind !== 'change') return;
    this.changes.push({
      id: `${key}:memory`,
      target,
      resource: 'memory',
      current,
      proposed: d.proposed,
      unit: 'bytes',
      reason: d.reason,
      evidence: evidenceOf(e, this.deps.config.windowMs),
      ...extra,
    });
  }

  async read(kind: 'container' | 'mcp' | 'model', metric: 'memory_bytes' | 'cpu_cores', subject: string) {
    return readSeriesEvidence(
      this.deps.db,
      seriesName(kind, metric, subject),
      this.deps.config.windowMs,
      this.now,
    );
  }
}

async function containers(b: PlanBuilder): Promise<LiveContainer[]> {
  const live: LiveContainer[] = [];
  for (const subject of await subjectsOf(b.deps.db, 'container', 'memory_bytes')) {
    const found = await liveContainer(b.deps.docker, subject, b.deps.composeFiles);
    if (found === 'gone') continue; // removed or stopped since it was sampled: nothing to change
    const c = found;
    if (c) live.push(c);
    const target: PlanTarget = {
      kind: 'container',
      name: subject,
      ...(c?.service ? { service: c.service } : {}),
      ...(c?.composeFile ? { composeFile: c.composeFile } : {}),
    };
    const limit =
      c?.inspect.HostConfig.Memory ||
      (await latestValue(b.deps.db, seriesName('container', 'memory_limit_bytes', subject))) ||
      null;
    const extra = {
      ...(c ? { containerId: c.inspect.Id } : {}),
      ...(c?.project ? { project: c.project } : {}),
    };
    const floorKind = guessKind(c?.service ?? subject, c?.inspect.Config.Image ?? '');
    b.memory(target, await b.read('container', 'memory_bytes', subject), limit, floorKind, extra);
    const cpuEvidence = await b.read('container', 'cpu_cores', subject);
    const currentCpus = c?.inspect.HostConfig.NanoCpus ? c.inspect.HostConfig.NanoCpus / 1e9 : null;
    const cpu = b.mode === 'rightsize' ? decideCpus(cpuEvidence, currentCpus, b.deps.config) : undefined;
    if (cpu)
      b.changes.push({
        id: `container:${subject}:cpus`,
        target,
        resource: 'cpus',
        current: currentCpus,
        proposed: cpu.proposed,
        unit: 'cores',
        reason: `limit ${currentCpus ?? 'none'} → ${cpu.proposed} cores: ${cpu.reason}`,
        evidence: evidenceOf(cpuEvidence, b.deps.config.windowMs),
        ...extra,
      });
  }
  return live;
}

async function mcpServers(b: PlanBuilder): Promise<void> {
  const subjects = await subjectsOf(b.deps.db, 'mcp', 'memory_bytes');
  if (!subjects.length) return;
  const loaded = await loadServers(b.deps.mcp.configPath, b.deps.mcp.defaults);
  for (const spec of loaded.servers) {
    if (!subjects.includes(spec.name)) continue;
    const target: PlanTarget = { kind: 'mcp', name: spec.name, composeFile: loaded.file };
    b.memory(target, await b.read('mcp', 'memory_bytes', spec.name), spec.memoryBudgetBytes, 'mcp');
  }
}

async function ollama(b: PlanBuilder, live: LiveContainer[]): Promise<void> {
  const models = await subjectsOf(b.deps.db, 'model', 'memory_bytes');
  if (!models.length) return;
  const container = live.find((c) =>
    /ollama/i.test(`${c.service ?? ''} ${c.name} ${c.inspect.Config.Image}`),
  );
  const name = container?.name ?? 'ollama';
  const evidence = (await Promise.all(models.map((m) => b.read('model', 'memory_bytes', m)))).filter(
    (e): e is SeriesEvidence => e !== undefined,
  );
  const span = Math.max(0, ...evidence.map((e) => e.historyMs));
  const samples = evidence.reduce((n, e) => n + e.samples, 0);
  const host = await latestValue(b.deps.db, HOST_MEMORY_TOTAL);
  const c = b.deps.config;
  if (span < c.minHistoryMs || samples < c.minSamples || !host) {
    const reason = host
      ? `models were seen loaded over ${Math.round(span / 60_000)} min in ${samples} sample(s); needs ${c.minSamples} over ${Math.round(c.minHistoryMs / 60_000)} min`
      : 'host memory has not been sampled';
    b.insufficient.push({ target: { kind: 'ollama', name }, reason });
    return;
  }
  const d = decideOllama(
    {
      modelPeaks: evidence.map((e) => ({ model: e.series, peak: e.peak })),
      hostMemoryBytes: host,
      containerLimitBytes: container?.inspect.HostConfig.Memory || null,
    },
    c,
  );
  const target: PlanTarget = {
    kind: 'ollama',
    name,
    ...(container?.service ? { service: container.service } : {}),
    ...(container?.composeFile ? { composeFile: container.composeFile } : {}),
  };
  const peak = Math.max(...evidence.map((e) => e.peak));
  const ev: ChangeEvidence = {
    windowMs: c.windowMs,
    samples,
    peak,
    series: [...evidence.map((e) => e.series), HOST_MEMORY_TOTAL],
    historyMs: span,
  };
  for (const [env, value] of [
    ['OLLAMA_MAX_LOADED_MODELS', d.maxLoaded],
    ['OLLAMA_NUM_PARALLEL', d.parallel],
  ] as const) {
    const current = envOf(container?.inspect, env);
    if (current === String(value)) continue;
    b.changes.push({
      id: `ollama:${name}:${env}`,
      target,
      resource: 'env',
      env,
      current,
      proposed: String(value),
      unit: 'text',
      reason: `${env} ${current ?? 'unset'} → ${value}: ${d.reason}.`,
      evidence: ev,
      ...(container ? { containerId: container.inspect.Id } : {}),
      ...(container?.project ? { project: container.project } : {}),
    });
  }
}

/**
 * The plan: every container, MCP server and Ollama the history knows, right-sized (or stepped)
 * from its evidence; what cannot be judged yet is listed under `insufficient` with the reason.
 */
export async function buildPlan(deps: PlanDeps, mode: PlanMode): Promise<BuiltPlan> {
  const now = deps.now ?? Date.now();
  const b = new PlanBuilder(deps, mode, now, await lastSteps(deps.db));
  const live = await containers(b);
  await mcpServers(b);
  await ollama(b, live);
  return { generatedAt: new Date(now).toISOString(), mode, changes: b.changes, insufficient: b.insufficient };
}

/** The public shape (contract): the fields apply keeps for itself are left out. */
export function publicPlan(plan: BuiltPlan): OptimizerPlan {
  return {
    ...plan,
    changes: plan.changes.map(({ containerId: _id, project: _p, ...c }) => c),
  };
}

/** The rightsize plan's container memory proposals by container name (the doctor's limit fix reads them). */
export async function memoryRecommendations(
  deps: PlanDeps,
): Promise<Map<string, { bytes: number; basis: string }>> {
  const plan = await buildPlan(deps, 'rightsize');
  return new Map(
    plan.changes
      .filter((c) => c.target.kind === 'container' && c.resource === 'memory')
      .map((c) => [c.target.name, { bytes: Number(c.proposed), basis: c.reason }]),
  );
}
