import { doctorAuditDuration, doctorFindings, doctorSourceFailures } from '../metrics/index.js';
import type { ComposeLoadOptions } from './compose/load.js';
import { loadComposeProject, resolveComposeFiles } from './compose/load.js';
import {
  PROJECT_LABEL,
  SERVICE_LABEL,
  type ContainerView,
  type RuleOptions,
  type Snapshot,
} from './rules/context.js';
import { evaluate, type ConfigSuppression } from './rules/evaluate.js';
import type { DockerClient } from './sources/docker-types.js';
import { recordSample } from './limits/floors.js';
import { usageKey } from './limits/evidence.js';
import { readCgroupMemory } from './sources/cgroup-memory.js';
import { readListeners } from './sources/listeners.js';
import { platformDescription, readPlatformServers, type PlatformSourceOptions } from './sources/platform.js';
import { loadPortRegistry } from './sources/port-registry.js';
import { readProcesses } from './sources/processes.js';
import { mergeOwnRestarts, type DoctorState, type OwnRestart, type StateStore } from './state.js';
import {
  DOCTOR_VERSION,
  REPORT_SCHEMA_VERSION,
  SEVERITIES,
  type Finding,
  type Report,
  type SourceName,
  type SourceStatus,
} from './types.js';
import { errorMessage, mapLimit } from './util.js';

export interface AuditOptions {
  /** Omit to skip the Docker source. */
  docker?: DockerClient;
  /** Omit to skip compose; `files: []` looks for compose.yaml in cwd and is "unavailable" if none. */
  compose?: ComposeLoadOptions;
  registryFile?: string;
  listeners?: boolean;
  processes?: boolean;
  platform?: PlatformSourceOptions;
  /** Only containers whose name matches (Docker's `name` filter, a regexp). */
  nameFilter?: string;
  /** Memory stats: `limited` (containers with a limit, for memory-pressure), `all`, `none`. */
  stats?: 'limited' | 'all' | 'none';
  rules: RuleOptions;
  suppressions?: ConfigSuppression[];
  only?: string[];
  skip?: string[];
  stateStore: StateStore;
  /** Restarts the caller (the watch) made, per container id: not evidence of a restart loop. */
  ownRestarts?: Record<string, OwnRestart[]>;
  procRoot?: string;
  /** Where container cgroups are read for memory use; null to always ask the engine. */
  cgroupRoot?: string | null;
  now?: () => number;
}

export interface AuditResult {
  report: Report;
  snapshot: Snapshot;
  state: DoctorState;
}

type Reader = (snap: Snapshot) => Promise<Record<string, unknown> | void>;

async function runSource(
  name: SourceName,
  reader: Reader | undefined,
  snap: Snapshot,
): Promise<SourceStatus> {
  if (!reader) return { name, status: 'skipped' };
  try {
    const detail = await reader(snap);
    if (detail && detail.unavailable)
      return { name, status: 'unavailable', reason: String(detail.unavailable) };
    return { name, status: 'ok', ...(detail ? { detail } : {}) };
  } catch (err) {
    return { name, status: 'failed', reason: errorMessage(err) };
  }
}

async function readDocker(docker: DockerClient, opts: AuditOptions, snap: Snapshot) {
  const version = await docker.version();
  const list = await docker.listContainers({
    all: true,
    ...(opts.nameFilter ? { nameFilter: opts.nameFilter } : {}),
  });
  const views = await mapLimit(list, 16, async (c): Promise<ContainerView | undefined> => {
    const inspect = await docker.inspectContainer(c.Id).catch(() => undefined); // removed meanwhile
    if (!inspect) return undefined;
    const labels = inspect.Config.Labels ?? {};
    const project = labels[PROJECT_LABEL];
    const service = labels[SERVICE_LABEL];
    return {
      inspect,
      name: inspect.Name.replace(/^\//, ''),
      ...(project ? { project } : {}),
      ...(service ? { service } : {}),
    };
  });
  const containers = views.filter((v): v is ContainerView => v !== undefined);
  const wantStats = opts.stats ?? 'limited';
  const statTargets = containers.filter(
    (c) =>
      c.inspect.State.Running &&
      wantStats !== 'none' &&
      (wantStats === 'all' || c.inspect.HostConfig.Memory > 0),
  );
  await mapLimit(statTargets, 32, async (c) => {
    const s =
      (opts.cgroupRoot !== null ? await readCgroupMemory(c.inspect.Id, opts.cgroupRoot) : undefined) ??
      (await docker.memoryStats(c.inspect.Id).catch(() => undefined));
    if (s) c.stats = s;
  });
  const nowS = Math.floor(snap.now / 1000);
  snap.events = await docker.events({
    since: nowS - opts.rules.restartLoop.windowSeconds,
    until: nowS,
    filters: { type: ['container'], event: ['start', 'die', 'oom'] },
  });
  snap.containers = containers;
  if (!opts.only || opts.only.some((r) => r.startsWith('dangling'))) {
    const [images, volumes, networks] = await Promise.all([
      docker.danglingImages(),
      docker.danglingVolumes(),
      docker.danglingNetworks(),
    ]);
    snap.dangling = { images, volumes, networks };
  }
  return {
    apiVersion: version.apiVersion,
    engineVersion: version.engineVersion,
    containers: containers.length,
  };
}

function readers(opts: AuditOptions): Record<SourceName, Reader | undefined> {
  const procRoot = opts.procRoot ?? '/proc';
  return {
    docker: opts.docker ? (snap) => readDocker(opts.docker!, opts, snap) : undefined,
    compose: opts.compose
      ? async (snap) => {
          if (
            !opts.compose!.files?.length &&
            resolveComposeFiles([], opts.compose!.cwd ?? process.cwd()).length === 0
          )
            return { unavailable: 'no compose file given and none found in the working directory' };
          snap.compose = loadComposeProject(opts.compose!);
          return {
            project: snap.compose.name,
            files: snap.compose.files,
            services: snap.compose.services.length,
          };
        }
      : undefined,
    registry: opts.registryFile
      ? async (snap) => {
          snap.registry = loadPortRegistry(opts.registryFile!).entries;
          return { file: opts.registryFile, entries: snap.registry.length };
        }
      : undefined,
    listeners: opts.listeners
      ? async (snap) => {
          const declared = snap.compose?.services.flatMap((s) => s.ports.map((p) => p.hostPort));
          snap.listeners = await readListeners(procRoot, declared ? new Set(declared) : undefined);
          return { listeners: snap.listeners.length };
        }
      : undefined,
    processes: opts.processes
      ? async (snap) => {
          snap.processes = await readProcesses(procRoot);
          return { processes: snap.processes.length };
        }
      : undefined,
    platform: opts.platform
      ? async (snap) => {
          const servers = await readPlatformServers(opts.platform!);
          if (!servers)
            return { unavailable: `SutazAI is not running at ${platformDescription(opts.platform!)}` };
          snap.platform = servers;
          return { servers: servers.length };
        }
      : undefined,
  };
}

function updateUsage(snap: Snapshot, state: DoctorState): void {
  for (const c of snap.containers ?? []) {
    if (!c.stats) continue;
    const key = usageKey(c);
    state.usage[key] = recordSample(state.usage[key], c.stats.usage, snap.now);
  }
}

/** Reads every requested source (each may fail on its own), evaluates the rules, builds the report. */
export async function runAudit(opts: AuditOptions): Promise<AuditResult> {
  const started = performance.now();
  const snap: Snapshot = { now: (opts.now ?? Date.now)() };
  const all = readers(opts);
  // Declarations first (cheap): the listener source then resolves owners only for declared ports.
  const declared = await Promise.all(
    (['compose', 'registry'] as const).map((n) => runSource(n, all[n], snap)),
  );
  const observed = await Promise.all(
    (['docker', 'listeners', 'processes', 'platform'] as const).map((n) => runSource(n, all[n], snap)),
  );
  const sources: SourceStatus[] = [observed[0]!, ...declared, ...observed.slice(1)];
  const state = await opts.stateStore.load();
  updateUsage(snap, state);
  mergeOwnRestarts(state, opts.ownRestarts ?? {}, snap.now - opts.rules.restartLoop.windowSeconds * 1000);
  const findings = evaluate(snap, opts.rules, state, {
    ...(opts.suppressions ? { suppressions: opts.suppressions } : {}),
    ...(opts.only ? { only: opts.only } : {}),
    ...(opts.skip ? { skip: opts.skip } : {}),
  });
  await opts.stateStore.save(state);
  const report = buildReport(snap, sources, findings);
  recordMetrics(report, started);
  return { report, snapshot: snap, state };
}

function recordMetrics(report: Report, started: number): void {
  doctorAuditDuration.observe({ partial: String(report.partial) }, (performance.now() - started) / 1000);
  doctorFindings.reset();
  for (const f of report.findings)
    if (!f.suppressed) doctorFindings.inc({ rule: f.ruleId, severity: f.severity });
  for (const s of report.sources) if (s.status === 'failed') doctorSourceFailures.inc({ source: s.name });
}

export function buildReport(snap: Snapshot, sources: SourceStatus[], findings: Finding[]): Report {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Report['summary']['bySeverity'];
  for (const f of findings) if (!f.suppressed) bySeverity[f.severity]++;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'sutazai-doctor', version: DOCTOR_VERSION },
    generatedAt: new Date(snap.now).toISOString(),
    project: snap.compose?.name ?? null,
    partial: sources.some((s) => s.status === 'failed'),
    sources,
    findings,
    summary: { total: findings.length, suppressed: findings.filter((f) => f.suppressed).length, bySeverity },
  };
}
