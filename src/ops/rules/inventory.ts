import { createHash } from 'node:crypto';
import { HASH_LABEL, finding, type ContainerView, type Rule } from './context.js';

/** Our own hash of a declared service: canonical JSON without the keys compose also ignores. */
export function declaredServiceHash(config: Record<string, unknown>): string {
  const {
    build: _b,
    profiles: _p,
    scale: _s,
    depends_on: _d,
    pull_policy: _pp,
    'x-sutazai': _x,
    ...rest
  } = config;
  const deploy = rest.deploy as Record<string, unknown> | undefined;
  if (deploy) rest.deploy = { ...deploy, replicas: undefined };
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value ?? null);
}

function describe(c: ContainerView) {
  return {
    name: c.name,
    id: c.inspect.Id.slice(0, 12),
    status: c.inspect.State.Status,
    exitCode: c.inspect.State.ExitCode,
  };
}

export const phantomService: Rule = ({ snap, own }) => {
  const project = snap.compose;
  if (!project || !snap.containers) return [];
  return project.services
    .filter((s) => s.active)
    .flatMap((s) => {
      const mine = own.filter((c) => c.service === s.name);
      // A restarting container is present but looping: restart-loop reports it, not this rule.
      const running = mine.filter((c) => c.inspect.State.Running || c.inspect.State.Status === 'restarting');
      if (running.length >= Math.min(s.replicas, 1)) return [];
      const why = mine.length === 0 ? 'has no container' : `has ${mine.length} container(s), none running`;
      return [
        finding(
          'phantom-service',
          { service: s.name, project: project.name },
          `service ${s.name} is declared and active but ${why}`,
          { replicas: s.replicas, profiles: s.profiles, containers: mine.map(describe) },
          s.location ? { location: s.location } : {},
        ),
      ];
    });
};

export const orphanContainer: Rule = ({ snap, own, serviceByName }) => {
  if (!snap.compose) return [];
  return own
    .filter((c) => c.project === snap.compose!.name && c.service && !serviceByName.has(c.service))
    .map((c) =>
      finding(
        'orphan-container',
        { service: c.service!, project: c.project!, container: c },
        `container ${c.name} belongs to service ${c.service}, which is no longer declared`,
        describe(c),
      ),
    );
};

export const strayContainer: Rule = ({ own }) =>
  own
    .filter((c) => !c.project)
    .map((c) =>
      finding(
        'stray-container',
        { service: c.name, container: c },
        `container ${c.name} has no compose labels`,
        {
          ...describe(c),
          image: c.inspect.Config.Image,
        },
      ),
    );

export const staleContainer: Rule = ({ snap, own, serviceByName, state }) => {
  if (!snap.compose) return [];
  return own.flatMap((c) => {
    const decl = c.service ? serviceByName.get(c.service) : undefined;
    const label = c.inspect.Config.Labels?.[HASH_LABEL];
    if (!decl || !label) return [];
    const key = `${c.project}/${c.name}`;
    const declaredHash = declaredServiceHash(decl.config);
    const base = state.baselines[key];
    if (!base || base.composeHash !== label) {
      state.baselines[key] = { composeHash: label, declaredHash, at: new Date(snap.now).toISOString() };
      return [];
    }
    if (base.declaredHash === declaredHash) return [];
    return [
      finding(
        'stale-container',
        { service: decl.name, project: c.project!, container: c },
        `the declaration of ${decl.name} changed since container ${c.name} was created`,
        {
          configHashLabel: label,
          declaredHashAtBaseline: base.declaredHash,
          declaredHashNow: declaredHash,
          baselineAt: base.at,
        },
        decl.location ? { location: decl.location } : {},
      ),
    ];
  });
};
