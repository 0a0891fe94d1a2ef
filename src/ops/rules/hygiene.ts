import { fingerprint } from '../sources/processes.js';
import { finding, type Rule } from './context.js';

const HOST = '(host)';

export const danglingResources: Rule = ({ snap }) => {
  const d = snap.dangling;
  if (!d) return [];
  const out = [];
  if (d.images.length) {
    const bytes = d.images.reduce((n, i) => n + (i.Size ?? 0), 0);
    out.push(
      finding(
        'dangling-images',
        { service: HOST },
        `${d.images.length} dangling image(s), ${bytes} bytes reclaimable`,
        {
          count: d.images.length,
          reclaimableBytes: bytes,
          ids: d.images.slice(0, 20).map((i) => i.Id.slice(0, 19)),
        },
      ),
    );
  }
  if (d.volumes.length) {
    const bytes = d.volumes.reduce((n, v) => n + Math.max(0, v.UsageData?.Size ?? 0), 0);
    out.push(
      finding(
        'dangling-volumes',
        { service: HOST },
        `${d.volumes.length} dangling volume(s), ${bytes} bytes reclaimable`,
        {
          count: d.volumes.length,
          reclaimableBytes: bytes,
          names: d.volumes.slice(0, 20).map((v) => v.Name),
        },
      ),
    );
  }
  if (d.networks.length)
    out.push(
      finding('dangling-networks', { service: HOST }, `${d.networks.length} unused network(s)`, {
        count: d.networks.length,
        reclaimableBytes: 0,
        names: d.networks.map((n) => n.Name),
      }),
    );
  return out;
};

export const processSprawl: Rule = ({ snap, options }) => {
  const procs = snap.processes;
  if (!procs) return [];
  return options.processBudgets.flatMap((budget) => {
    const re = new RegExp(budget.match, 'i');
    const matching = procs.filter((p) => re.test(p.command));
    if (matching.length <= budget.max) return [];
    const groups = new Map<string, number>();
    for (const p of matching)
      groups.set(fingerprint(p.command), (groups.get(fingerprint(p.command)) ?? 0) + 1);
    return [
      finding(
        'process-sprawl',
        { service: HOST, key: budget.name },
        `${matching.length} ${budget.name} processes (budget ${budget.max})`,
        {
          budget: budget.name,
          count: matching.length,
          max: budget.max,
          rssBytes: matching.reduce((n, p) => n + p.rssBytes, 0),
          fingerprints: [...groups.entries()]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 10)
            .map(([f, n]) => ({ fingerprint: f, count: n })),
          pids: matching.slice(0, 50).map((p) => p.pid),
        },
      ),
    ];
  });
};

/** The platform's MCP children are judged by the same rules as containers. */
export const platformChildren: Rule = ({ snap, options }) =>
  (snap.platform ?? []).flatMap((s) => {
    const service = `mcp:${s.name}`;
    const out = [];
    if (
      !['running', 'ready', 'up', 'idle'].includes(s.state) &&
      s.state !== 'stopped' &&
      s.state !== 'disabled'
    )
      out.push(
        finding('phantom-service', { service }, `platform MCP server ${s.name} is ${s.state}`, {
          state: s.state,
          restarts: s.restarts ?? null,
        }),
      );
    if (
      s.memoryBytes &&
      s.memoryLimitBytes &&
      s.memoryBytes / s.memoryLimitBytes >= options.memoryPressureRatio
    )
      out.push(
        finding('memory-pressure', { service }, `platform MCP server ${s.name} is near its memory budget`, {
          usage: s.memoryBytes,
          limit: s.memoryLimitBytes,
        }),
      );
    return out;
  });
