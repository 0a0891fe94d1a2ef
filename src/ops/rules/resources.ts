import { DEFAULT_POLICY, insufficiency } from '../limits/floors.js';
import { usageKey } from '../limits/evidence.js';
import { finding, serviceOf, type ContainerView, type Rule, type RuleContext } from './context.js';
import type { DockerEvent } from '../sources/docker-types.js';
import type { OwnRestart } from '../state.js';

function running(ctx: RuleContext): ContainerView[] {
  return ctx.own.filter((c) => c.inspect.State.Running);
}

function declOf(ctx: RuleContext, c: ContainerView) {
  return c.service ? ctx.serviceByName.get(c.service) : undefined;
}

export const noMemoryLimit: Rule = (ctx) =>
  running(ctx)
    .filter((c) => !c.inspect.HostConfig.Memory)
    .map((c) => {
      const d = declOf(ctx, c);
      const loc =
        d?.keyLocations['deploy.resources.limits.memory'] ?? d?.keyLocations['mem_limit'] ?? d?.location;
      // Says whether usage so far is enough to size a limit, so nobody sizes one from idle samples.
      const history = ctx.state.usage[usageKey(c)];
      const short = d?.memoryLimit ? null : insufficiency(history, ctx.options.limitPolicy ?? DEFAULT_POLICY);
      return finding(
        'no-memory-limit',
        { service: serviceOf(c), project: c.project, container: c },
        `container ${c.name} runs without a memory limit${d?.memoryLimit ? ' (one is declared: recreate it)' : short ? ` (usage evidence insufficient: ${short}; the fix uses the default for its kind)` : ''}`,
        {
          memory: 0,
          declared: d?.memoryLimit ?? null,
          usage: c.stats?.usage ?? null,
          kind: d?.kind ?? 'default',
          evidence: short ? `insufficient: ${short}` : d?.memoryLimit ? 'declared' : 'sufficient',
        },
        loc ? { location: loc } : {},
      );
    });

export const noCpuLimit: Rule = (ctx) =>
  running(ctx)
    .filter((c) => !c.inspect.HostConfig.NanoCpus && !c.inspect.HostConfig.CpuQuota)
    .map((c) => {
      const d = declOf(ctx, c);
      const loc = d?.keyLocations['deploy.resources.limits.cpus'] ?? d?.keyLocations['cpus'] ?? d?.location;
      return finding(
        'no-cpu-limit',
        { service: serviceOf(c), project: c.project, container: c },
        `container ${c.name} runs without a CPU limit`,
        { nanoCpus: 0, declared: d?.cpuLimit ?? null },
        loc ? { location: loc } : {},
      );
    });

export const memoryPressure: Rule = (ctx) =>
  running(ctx).flatMap((c) => {
    const s = c.stats;
    const limit = c.inspect.HostConfig.Memory;
    if (!s || !limit) return [];
    const ratio = s.usage / limit;
    if (ratio < ctx.options.memoryPressureRatio) return [];
    return [
      finding(
        'memory-pressure',
        { service: serviceOf(c), project: c.project, container: c },
        `container ${c.name} uses ${Math.round(ratio * 100)}% of its memory limit`,
        { usage: s.usage, limit, ratio: Number(ratio.toFixed(3)) },
      ),
    ];
  });

export const unhealthy: Rule = (ctx) =>
  running(ctx)
    .filter((c) => c.inspect.State.Health?.Status === 'unhealthy')
    .map((c) => {
      const h = c.inspect.State.Health!;
      const last = h.Log?.[h.Log.length - 1];
      return finding(
        'unhealthy',
        { service: serviceOf(c), project: c.project, container: c },
        `container ${c.name} is unhealthy`,
        {
          failingStreak: h.FailingStreak ?? null,
          lastExitCode: last?.ExitCode ?? null,
          lastOutput: last?.Output?.slice(0, 200) ?? null,
        },
      );
    });

export const noHealthcheck: Rule = (ctx) =>
  running(ctx)
    .filter((c) => {
      const test = c.inspect.Config.Healthcheck?.Test;
      return !test || test.length === 0 || test[0] === 'NONE';
    })
    .map((c) =>
      finding(
        'no-healthcheck',
        { service: serviceOf(c), project: c.project, container: c },
        `container ${c.name} has no healthcheck`,
        {
          image: c.inspect.Config.Image,
        },
      ),
    );

interface Run {
  startedAt?: number;
  diedAt: number;
  exitCode: string | null;
}

/** The restarts the doctor's watch made of this container (kept in the state). */
function ownRestarts(ctx: RuleContext, c: ContainerView): OwnRestart[] {
  return ctx.state.ownRestarts?.[c.inspect.Id] ?? [];
}

/**
 * Whether a `die` event is the stop half of a restart the watch made: it happened while the
 * restart call ran. Event times are whole seconds (timeNano when present), hence a second's slack.
 */
function causedByUs(e: DockerEvent, own: OwnRestart[], now: number): boolean {
  const ms = e.timeNano !== undefined ? e.timeNano / 1e6 : e.time * 1000;
  return own.some((r) => ms >= r.from - 1000 && ms <= (r.to ?? now) + 1000);
}

function shortRuns(ctx: RuleContext, c: ContainerView): Run[] {
  const since = ctx.snap.now / 1000 - ctx.options.restartLoop.windowSeconds;
  const own = ownRestarts(ctx, c);
  const mine = (ctx.snap.events ?? [])
    .filter((e) => e.Type === 'container' && e.Actor.ID === c.inspect.Id && e.time >= since)
    .filter((e) => e.Action !== 'die' || !causedByUs(e, own, ctx.snap.now))
    .sort((a, b) => (a.timeNano ?? a.time * 1e9) - (b.timeNano ?? b.time * 1e9));
  const runs: Run[] = [];
  let startedAt: number | undefined;
  for (const e of mine) {
    if (e.Action === 'start') startedAt = e.time;
    if (e.Action === 'die') {
      runs.push({
        ...(startedAt !== undefined ? { startedAt } : {}),
        diedAt: e.time,
        exitCode: e.Actor.Attributes.exitCode ?? null,
      });
      startedAt = undefined;
    }
  }
  return runs.filter(
    (r) => r.startedAt === undefined || r.diedAt - r.startedAt <= ctx.options.restartLoop.shortRunSeconds,
  );
}

/** RestartCount growth inside the window, from earlier observations kept in the state file. */
function restartDelta(ctx: RuleContext, c: ContainerView): number {
  const key = c.inspect.Id;
  const now = ctx.snap.now;
  const windowMs = ctx.options.restartLoop.windowSeconds * 1000;
  const history = (ctx.state.restarts[key] ?? []).filter((h) => now - h.at <= windowMs);
  history.push({ at: now, count: c.inspect.RestartCount });
  ctx.state.restarts[key] = history.slice(-20);
  const ours = ownRestarts(ctx, c).filter((r) => r.from >= history[0]!.at).length;
  return Math.max(0, c.inspect.RestartCount - history[0]!.count - ours);
}

export const restartLoop: Rule = (ctx) =>
  ctx.own.flatMap((c) => {
    const runs = shortRuns(ctx, c);
    const delta = restartDelta(ctx, c);
    // The engine keeps only its last 256 events, so on a busy host the window may be gone from
    // /events; a container created inside the window has had all its restarts inside it.
    const created = Date.parse(c.inspect.Created);
    const young = ctx.snap.now - created <= ctx.options.restartLoop.windowSeconds * 1000;
    const oursSinceCreated = ownRestarts(ctx, c).filter((r) => r.from >= created).length;
    const exits = Math.max(
      runs.length,
      delta,
      young ? Math.max(0, c.inspect.RestartCount - oursSinceCreated) : 0,
    );
    if (exits < ctx.options.restartLoop.minExits) return [];
    return [
      finding(
        'restart-loop',
        { service: serviceOf(c), project: c.project, container: c },
        `container ${c.name} exited ${exits} times after short runs in the last ${Math.round(ctx.options.restartLoop.windowSeconds / 60)} minutes`,
        {
          exits,
          runs: runs.slice(-10).map((r) => ({
            seconds: r.startedAt === undefined ? null : r.diedAt - r.startedAt,
            exitCode: r.exitCode,
          })),
          restartCount: c.inspect.RestartCount,
          restartCountDelta: delta,
          createdInWindow: young,
          restartPolicy: c.inspect.HostConfig.RestartPolicy?.Name ?? null,
        },
      ),
    ];
  });
