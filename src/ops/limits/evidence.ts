import type { DoctorConfig } from '../../config/schema.js';
import { parseBytes } from '../compose/units.js';
import {
  DEFAULT_POLICY,
  isLimitKind,
  type EvidencePolicy,
  type KindLimits,
  type LimitKind,
} from './floors.js';

/** The state key a container's usage history is kept under: project/service (or its name). */
export function usageKey(c: { project?: string; service?: string; name: string }): string {
  return `${c.project ?? ''}/${c.service ?? c.name}`;
}

export function limitKindOf(kind: string | undefined): LimitKind {
  return kind && isLimitKind(kind) ? kind : 'default';
}

/** The evidence policy configured under `doctor.limitHistory`, `limitHeadroom`, `limitFloor`. */
export function policyFrom(config: DoctorConfig): EvidencePolicy {
  return {
    minHistoryMs: config.limitHistory.minHours * 3600_000,
    minSamples: config.limitHistory.minSamples,
    headroom: config.limitHeadroom,
    globalFloorBytes: parseBytes(config.limitFloor) ?? DEFAULT_POLICY.globalFloorBytes,
  };
}

/** `doctor.defaultLimits` as overrides of the documented per-kind defaults. */
export function kindDefaultsFrom(config: DoctorConfig): Partial<Record<LimitKind, Partial<KindLimits>>> {
  const out: Partial<Record<LimitKind, Partial<KindLimits>>> = {};
  for (const [kind, l] of Object.entries(config.defaultLimits))
    if (isLimitKind(kind)) out[kind] = { memoryBytes: parseBytes(l.memory)!, cpus: l.cpus };
  return out;
}
