import { formatCpuList, parseCpuList } from '../topology.js';
import type { ContainerCpuset, CpuStat, PlacementFinding, PlacementInput } from './types.js';

/**
 * The placement rules over one window (docs/optimizer.md "CPU placement"):
 * - cpu-hot-shared-cores: two hot containers may run on the same cores, those cores are busy,
 *   and a core neither may use sits idle;
 * - cpu-cpuset-overlap: two busy containers are pinned to overlapping cpusets (without idle cores
 *   elsewhere, so the first rule did not already say it);
 * - cpu-cpuset-missing-cores: a cpuset names CPUs the host does not have (online);
 * - cpu-core-imbalance: the busiest and the idlest core's means differ by the threshold or more;
 * - placement-not-enough-evidence / placement-no-engine: why a rule could not judge.
 * Cores and containers with fewer samples than `minSamples` take no part.
 */
export function placementFindings(input: PlacementInput): PlacementFinding[] {
  const findings = [...evidenceFindings(input), ...imbalanceFindings(input)];
  if (input.containers) {
    findings.push(...missingCoreFindings(input, input.containers));
    findings.push(...sharingFindings(input, input.containers));
  }
  return findings;
}

const pct = (v: number) => `${Math.round(v * 100)} %`;
const cores = (v: number) => `${v.toFixed(2)} cores`;

function judgedCores(input: PlacementInput): Array<[number, CpuStat]> {
  return input.topology.logicalCpus
    .map((cpu) => [cpu, input.cores.get(cpu)] as const)
    .filter((e): e is [number, CpuStat] => !!e[1] && e[1].samples >= input.thresholds.minSamples);
}

function evidenceFindings(input: PlacementInput): PlacementFinding[] {
  const out: PlacementFinding[] = [];
  if (judgedCores(input).length < 2)
    out.push({
      rule: 'placement-not-enough-evidence',
      severity: 'low',
      subject: 'host',
      message: `Fewer than two cores have ${input.thresholds.minSamples} samples in the window: per-core rules cannot judge yet.`,
      evidence: { minSamples: input.thresholds.minSamples, coresWithSamples: input.cores.size },
    });
  if (!input.containers)
    out.push({
      rule: 'placement-no-engine',
      severity: 'low',
      subject: 'docker',
      message: `No Docker engine answered (${input.engine.reason ?? 'unknown reason'}): container cpusets are unknown, so the sharing and cpuset rules were skipped.`,
      evidence: { reason: input.engine.reason ?? null },
    });
  return out;
}

function imbalanceFindings(input: PlacementInput): PlacementFinding[] {
  const judged = judgedCores(input).sort((a, b) => b[1].mean - a[1].mean);
  if (judged.length < 2) return [];
  const [busiest, idlest] = [judged[0]!, judged[judged.length - 1]!];
  const spread = busiest[1].mean - idlest[1].mean;
  const t = input.thresholds;
  if (spread < t.imbalance) return [];
  return [
    {
      rule: 'cpu-core-imbalance',
      severity: busiest[1].mean >= t.busyCore && idlest[1].mean < t.idleCore ? 'high' : 'medium',
      subject: 'host',
      message: `CPU ${busiest[0]} was busy ${pct(busiest[1].mean)} on average while CPU ${idlest[0]} was busy ${pct(idlest[1].mean)}: work is not spread over the cores.`,
      evidence: {
        busiest: { cpu: busiest[0], ...busiest[1] },
        idlest: { cpu: idlest[0], ...idlest[1] },
        spread,
        threshold: t.imbalance,
        windowMs: input.windowMs,
      },
    },
  ];
}

function missingCoreFindings(
  input: PlacementInput,
  containers: readonly ContainerCpuset[],
): PlacementFinding[] {
  const online = new Set(input.topology.logicalCpus);
  return containers.flatMap((c) => {
    const missing = parseCpuList(c.cpuset).filter((cpu) => !online.has(cpu));
    if (!missing.length) return [];
    return [
      {
        rule: 'cpu-cpuset-missing-cores',
        severity: 'high' as const,
        subject: c.name,
        message: `${c.name} is pinned to CPUs ${c.cpuset} but the host has no CPU ${formatCpuList(missing)} (online: ${formatCpuList([...online])}); the engine refuses to start it again with this cpuset.`,
        evidence: { cpuset: c.cpuset, missing, online: [...online] },
      },
    ];
  });
}

interface Hot {
  name: string;
  pinned: boolean;
  cpus: number[];
  usage: CpuStat;
}

function hotContainers(input: PlacementInput, containers: readonly ContainerCpuset[]): Hot[] {
  const online = input.topology.logicalCpus;
  const t = input.thresholds;
  return containers.flatMap((c) => {
    const usage = input.containerUsage.get(c.name);
    if (!usage || usage.samples < t.minSamples || usage.p95 < t.hotCores) return [];
    const pinned = parseCpuList(c.cpuset).filter((cpu) => online.includes(cpu));
    return [{ name: c.name, pinned: pinned.length > 0, cpus: pinned.length ? pinned : [...online], usage }];
  });
}

function sharingFindings(input: PlacementInput, containers: readonly ContainerCpuset[]): PlacementFinding[] {
  const hot = hotContainers(input, containers);
  const out: PlacementFinding[] = [];
  for (let i = 0; i < hot.length; i++)
    for (let j = i + 1; j < hot.length; j++) {
      const finding = judgePair(input, hot[i]!, hot[j]!);
      if (finding) out.push(finding);
    }
  return out;
}

function meanOf(input: PlacementInput, cpus: number[]): number | undefined {
  const stats = cpus
    .map((c) => input.cores.get(c))
    .filter((s) => s && s.samples >= input.thresholds.minSamples);
  return stats.length ? stats.reduce((a, s) => a + s!.mean, 0) / stats.length : undefined;
}

function judgePair(input: PlacementInput, a: Hot, b: Hot): PlacementFinding | undefined {
  const shared = a.cpus.filter((c) => b.cpus.includes(c));
  if (!shared.length) return undefined;
  const t = input.thresholds;
  const union = new Set([...a.cpus, ...b.cpus]);
  const idle = judgedCores(input).filter(([cpu, s]) => !union.has(cpu) && s.mean < t.idleCore);
  const sharedMean = meanOf(input, shared);
  const subject = `${a.name} + ${b.name}`;
  const evidence = {
    containers: [a, b].map((h) => ({
      name: h.name,
      cpuset: h.pinned ? formatCpuList(h.cpus) : '',
      ...h.usage,
    })),
    sharedCpus: shared,
    sharedMean: sharedMean ?? null,
    idleCpus: idle.map(([cpu, s]) => ({ cpu, mean: s.mean })),
    windowMs: input.windowMs,
  };
  if (sharedMean !== undefined && sharedMean >= t.busyCore && idle.length)
    return {
      rule: 'cpu-hot-shared-cores',
      severity: 'high',
      subject,
      message: `${a.name} (p95 ${cores(a.usage.p95)}) and ${b.name} (p95 ${cores(b.usage.p95)}) share CPUs ${formatCpuList(shared)}, busy ${pct(sharedMean)} on average, while CPUs ${formatCpuList(idle.map(([c]) => c))} sat idle.`,
      evidence,
    };
  if (a.pinned && b.pinned)
    return {
      rule: 'cpu-cpuset-overlap',
      severity: 'medium',
      subject,
      message: `${a.name} and ${b.name} are both busy and pinned to overlapping cpusets (shared CPUs ${formatCpuList(shared)}): they compete for the same cores.`,
      evidence,
    };
  return undefined;
}
