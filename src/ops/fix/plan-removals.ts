import type { Snapshot } from '../rules/context.js';
import type { VolumeSummary } from '../sources/docker-types.js';
import type { FixAction, FixPlan } from './plan.js';

export interface RemovalOptions {
  /** Named volumes the operator explicitly asked to delete (`fix --remove-volume NAME`). */
  removeVolumes?: string[];
  /**
   * The audit's `--name-filter`: removals stay inside it. Volumes and networks must match it;
   * dangling images have no name, so none is removed under a filter.
   */
  nameFilter?: string;
}

const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

/** An anonymous volume: labelled so by engines ≥ 23, or named by a 64-hex id (older engines). */
export function isAnonymousVolume(v: VolumeSummary): boolean {
  return ANONYMOUS_LABEL in (v.Labels ?? {}) || /^[0-9a-f]{64}$/.test(v.Name);
}

/**
 * The irreversible removals for the dangling-* findings the plan fixes. Every resource is named:
 * the engine's prune endpoints are never called (API 1.41 prunes named volumes, and a prune on a
 * shared engine reaches other people's resources). Named volumes are kept unless named in
 * `removeVolumes`.
 */
export function removalsFor(
  snap: Snapshot,
  wanted: Set<string>,
  options: RemovalOptions,
): { actions: FixAction[]; kept: FixPlan['kept'] } {
  const d = snap.dangling;
  const actions: FixAction[] = [];
  const kept: FixPlan['kept'] = [];
  if (!d) return { actions, kept };
  const scope = options.nameFilter ? new RegExp(options.nameFilter) : undefined;
  const inScope = (name: string) => !scope || scope.test(name);
  if (wanted.has('dangling-images')) {
    if (scope)
      kept.push({
        resource: 'dangling images',
        reason: 'they have no name, so no --name-filter covers them',
      });
    else if (d.images.length)
      actions.push({
        kind: 'remove-images',
        ids: d.images.map((i) => i.Id),
        reclaimableBytes: d.images.reduce((n, i) => n + (i.Size ?? 0), 0),
      });
  }
  if (wanted.has('dangling-volumes')) {
    const explicit = new Set(options.removeVolumes ?? []);
    const chosen: VolumeSummary[] = [];
    for (const v of d.volumes.filter((x) => inScope(x.Name))) {
      if (isAnonymousVolume(v) || explicit.has(v.Name)) chosen.push(v);
      else
        kept.push({
          resource: `volume ${v.Name}`,
          reason: `a named volume is never deleted unless named: pass --remove-volume ${v.Name}`,
        });
    }
    if (chosen.length)
      actions.push({
        kind: 'remove-volumes',
        names: chosen.map((v) => v.Name),
        reclaimableBytes: chosen.reduce((n, v) => n + Math.max(0, v.UsageData?.Size ?? 0), 0),
      });
  }
  for (const name of options.removeVolumes ?? [])
    if (!d.volumes.some((v) => v.Name === name))
      kept.push({
        resource: `volume ${name}`,
        reason: 'named by --remove-volume but not dangling (or out of scope): left alone',
      });
  if (wanted.has('dangling-networks')) {
    const names = d.networks.filter((n) => inScope(n.Name)).map((n) => n.Name);
    if (names.length) actions.push({ kind: 'remove-networks', names, reclaimableBytes: 0 });
  }
  return { actions, kept };
}
