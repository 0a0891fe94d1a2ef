import type { ServiceDecl } from '../compose/model.js';
import { descendants } from '../sources/processes.js';
import type { Listener } from '../sources/listeners.js';
import { finding, serviceOf, type ContainerView, type Rule, type RuleContext } from './context.js';

function overlaps(a: string, b: string): boolean {
  const any = (ip: string) => ip === '' || ip === '0.0.0.0' || ip === '::';
  return any(a) || any(b) || a === b;
}

/** Host ports a live container publishes through Docker's port mapping. */
export function liveHostPorts(c: ContainerView): number[] {
  const maps = [c.inspect.NetworkSettings?.Ports, c.inspect.HostConfig.PortBindings];
  const ports = new Set<number>();
  for (const m of maps)
    for (const bindings of Object.values(m ?? {}))
      for (const b of bindings ?? []) if (b.HostPort) ports.add(Number(b.HostPort));
  return [...ports];
}

function portLocation(s: ServiceDecl) {
  return s.keyLocations['ports'] ?? s.location;
}

function betweenServices(ctx: RuleContext) {
  const project = ctx.snap.compose!;
  const claims = new Map<string, ServiceDecl[]>();
  for (const s of project.services.filter((x) => x.active))
    for (const p of s.ports) {
      const key = `${p.hostPort}/${p.protocol}`;
      const list = claims.get(key) ?? [];
      const clash = list.some(
        (o) => o !== s && o.ports.some((q) => q.hostPort === p.hostPort && overlaps(q.hostIp, p.hostIp)),
      );
      if (!list.includes(s) && (list.length === 0 || clash)) claims.set(key, [...list, s]);
    }
  return [...claims.entries()]
    .filter(([, list]) => list.length > 1)
    .flatMap(([key, list]) =>
      list.slice(1).map((s) =>
        finding(
          'port-conflict',
          { service: s.name, project: project.name, key },
          `host port ${key} is declared by ${list.map((x) => x.name).join(' and ')}`,
          {
            port: key,
            kind: 'between-services',
            claimants: list.map((x) => ({ service: x.name, location: portLocation(x) })),
          },
          portLocation(s) ? { location: portLocation(s)! } : {},
        ),
      ),
    );
}

function betweenProjects(ctx: RuleContext) {
  const project = ctx.snap.compose!;
  const others = (ctx.snap.containers ?? []).filter(
    (c) => c.project !== project.name && c.inspect.State.Running,
  );
  return project.services
    .filter((s) => s.active)
    .flatMap((s) =>
      s.ports.flatMap((p) =>
        others
          .filter((c) => liveHostPorts(c).includes(p.hostPort))
          .map((c) =>
            finding(
              'port-conflict',
              { service: s.name, project: project.name, key: `${p.hostPort}/${p.protocol}` },
              `host port ${p.hostPort} of ${s.name} is bound by ${c.project ? `project ${c.project}` : 'stray'} container ${c.name}`,
              {
                port: p.hostPort,
                kind: 'between-projects',
                other: { container: c.name, project: c.project ?? null, service: c.service ?? null },
              },
              portLocation(s) ? { location: portLocation(s)! } : {},
            ),
          ),
      ),
    );
}

/** pid → the container whose process tree holds it. */
function containerPids(ctx: RuleContext): Map<number, ContainerView> {
  const out = new Map<number, ContainerView>();
  for (const c of ctx.snap.containers ?? []) {
    const root = c.inspect.State.Pid;
    if (!root) continue;
    const tree = ctx.snap.processes ? descendants(ctx.snap.processes, root) : new Set([root]);
    for (const pid of tree) out.set(pid, c);
  }
  return out;
}

function isDockerProxy(l: Listener): boolean {
  return /(^|\/)docker-proxy\b/.test(l.command ?? '');
}

function againstListeners(ctx: RuleContext) {
  const project = ctx.snap.compose!;
  const byPid = containerPids(ctx);
  return project.services
    .filter((s) => s.active)
    .flatMap((s) =>
      s.ports
        .filter((p) => p.protocol === 'tcp')
        .flatMap((p) => {
          const foreign = (ctx.snap.listeners ?? []).filter((l) => {
            if (
              l.port !== p.hostPort ||
              !overlaps(l.ip.replace(/^::ffff:/, ''), p.hostIp) ||
              isDockerProxy(l)
            )
              return false;
            const owner = l.pid !== undefined ? byPid.get(l.pid) : undefined;
            if (owner) return owner.project !== project.name; // another project's host-network container
            return l.pid !== undefined; // a visible non-Docker process
          });
          if (foreign.length === 0) return [];
          const l = foreign[0]!;
          const owner = l.pid !== undefined ? byPid.get(l.pid) : undefined;
          return [
            finding(
              'port-conflict',
              { service: s.name, project: project.name, key: `${p.hostPort}/tcp` },
              owner
                ? `host port ${p.hostPort} of ${s.name} is held by container ${owner.name} of ${owner.project ?? 'no project'}`
                : `host port ${p.hostPort} of ${s.name} is held by a non-Docker process (pid ${l.pid}: ${l.command ?? '?'})`,
              {
                port: p.hostPort,
                kind: owner ? 'between-projects' : 'non-docker-listener',
                listener: { ip: l.ip, pid: l.pid ?? null, command: l.command ?? null },
              },
              portLocation(s) ? { location: portLocation(s)! } : {},
            ),
          ];
        }),
    );
}

export const portConflict: Rule = (ctx) => {
  if (!ctx.snap.compose) return [];
  const all = [
    ...betweenServices(ctx),
    ...(ctx.snap.containers ? betweenProjects(ctx) : []),
    ...(ctx.snap.listeners ? againstListeners(ctx) : []),
  ];
  const seen = new Set<string>();
  return all.filter(
    (f) => !seen.has(f.fingerprint + f.evidence.kind) && seen.add(f.fingerprint + f.evidence.kind),
  );
};

export const registryDrift: Rule = (ctx) => {
  const { registry, compose } = ctx.snap;
  if (!registry || !compose) return [];
  const entries = registry.filter((e) => !e.project || e.project === compose.name);
  const out = [];
  for (const e of entries) {
    const s = compose.services.find((x) => x.name === e.service);
    if (!s) {
      // An opt-in tier's service (monitoring, ...) may be absent; defined elsewhere, it is checked.
      if (e.tier) continue;
      out.push(
        finding(
          'registry-drift',
          { service: e.service, project: compose.name, key: `nowhere:${e.port}` },
          `registry documents ${e.service} on ${e.port}, but no compose file defines it (documented, defined nowhere)`,
          { registryPort: e.port, registry: e.location, kind: 'defined-nowhere' },
          { location: e.location },
        ),
      );
      continue;
    }
    // A service that should run but nothing listens on its documented port (listeners read).
    const listening = ctx.snap.listeners?.some((l) => l.port === e.port);
    if (s.active && ctx.snap.listeners && !listening)
      out.push(
        finding(
          'registry-drift',
          { service: s.name, project: compose.name, key: `no-listener:${e.port}` },
          `registry says ${s.name} is on ${e.port}, and ${s.name} should run, but nothing listens on ${e.port}`,
          { registryPort: e.port, registry: e.location, kind: 'no-listener' },
          { location: e.location },
        ),
      );
  }
  for (const s of compose.services.filter((x) => x.active)) {
    const mine = entries.filter((e) => e.service === s.name);
    const declared = s.ports.map((p) => p.hostPort);
    const subject = { service: s.name, project: compose.name };
    for (const p of s.ports) {
      const holder = entries.find((e) => e.port === p.hostPort);
      if (holder && holder.service !== s.name)
        out.push(
          finding(
            'registry-drift',
            { ...subject, key: `taken:${p.hostPort}` },
            `${s.name} publishes ${p.hostPort}, which the registry reserves for ${holder.service}`,
            { port: p.hostPort, registry: holder },
            portLocation(s) ? { location: portLocation(s)! } : {},
          ),
        );
    }
    for (const e of mine) {
      if (!declared.includes(e.port))
        out.push(
          finding(
            'registry-drift',
            { ...subject, key: `declared:${e.port}` },
            `registry says ${s.name} is on ${e.port}; compose declares ${declared.join(', ') || 'no published port'}`,
            { registryPort: e.port, declared, registry: e.location },
            portLocation(s) ? { location: portLocation(s)! } : {},
          ),
        );
      const live = ctx.own
        .filter((c) => c.service === s.name && c.inspect.State.Running)
        .flatMap(liveHostPorts);
      const hostNet = s.networkMode === 'host';
      if (!hostNet && live.length > 0 && !live.includes(e.port))
        out.push(
          finding(
            'registry-drift',
            { ...subject, key: `live:${e.port}` },
            `registry says ${s.name} is on ${e.port}; the running container publishes ${live.join(', ')}`,
            { registryPort: e.port, live },
          ),
        );
    }
  }
  return out;
};

export { serviceOf };
