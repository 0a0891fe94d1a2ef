import type { ComposeProject, ServiceDecl } from '../compose/model.js';
import type {
  ContainerInspect,
  DockerEvent,
  ImageSummary,
  MemoryStats,
  NetworkSummary,
  VolumeSummary,
} from '../sources/docker-types.js';
import type { Listener } from '../sources/listeners.js';
import type { PlatformServer } from '../sources/platform.js';
import type { RegistryEntry } from '../sources/port-registry.js';
import type { HostProcess } from '../sources/processes.js';
import type { DoctorState } from '../state.js';
import type { Finding, Severity } from '../types.js';
import { ruleById } from './catalogue.js';
import type { EvidencePolicy } from '../limits/floors.js';

export const PROJECT_LABEL = 'com.docker.compose.project';
export const SERVICE_LABEL = 'com.docker.compose.service';
export const HASH_LABEL = 'com.docker.compose.config-hash';

export interface ContainerView {
  inspect: ContainerInspect;
  name: string;
  project?: string;
  service?: string;
  stats?: MemoryStats;
}

/** Everything the sources saw; a missing field means that source was not read. */
export interface Snapshot {
  now: number;
  compose?: ComposeProject;
  containers?: ContainerView[];
  events?: DockerEvent[];
  dangling?: { images: ImageSummary[]; volumes: VolumeSummary[]; networks: NetworkSummary[] };
  listeners?: Listener[];
  processes?: HostProcess[];
  registry?: RegistryEntry[];
  platform?: PlatformServer[];
}

export interface ProcessBudget {
  name: string;
  match: string;
  max: number;
}

export interface RuleOptions {
  processBudgets: ProcessBudget[];
  /** When usage history is enough to derive a limit (default: the documented policy). */
  limitPolicy?: EvidencePolicy;
  memoryPressureRatio: number;
  restartLoop: { minExits: number; windowSeconds: number; shortRunSeconds: number };
}

export interface RuleContext {
  snap: Snapshot;
  options: RuleOptions;
  state: DoctorState;
  /** Containers this audit judges: the compose project's plus strays (all containers without compose). */
  own: ContainerView[];
  serviceByName: Map<string, ServiceDecl>;
}

export type Rule = (ctx: RuleContext) => Finding[];

/** Builds a finding with the rule's default severity and a stable fingerprint. */
export function finding(
  ruleId: string,
  subject: { service: string; project?: string; container?: ContainerView; key?: string },
  message: string,
  evidence: Record<string, unknown>,
  extra: { location?: Finding['location']; severity?: Severity } = {},
): Finding {
  const rule = ruleById(ruleId);
  if (!rule) throw new Error(`unknown rule ${ruleId}`);
  const c = subject.container;
  return {
    ruleId,
    severity: extra.severity ?? rule.severity,
    service: subject.service,
    ...(subject.project ? { project: subject.project } : {}),
    ...(c ? { container: c.name, containerId: c.inspect.Id.slice(0, 12) } : {}),
    message,
    evidence,
    ...(extra.location ? { location: extra.location } : {}),
    fingerprint: [ruleId, subject.project ?? '', subject.service, c?.name ?? '', subject.key ?? ''].join('|'),
  };
}

/** The service a container is judged as: its compose service, or its name for strays. */
export function serviceOf(c: ContainerView): string {
  return c.service ?? c.name;
}
