import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DoctorConfigSchema } from '../../../src/config/schema.js';
import {
  MemoryDocker,
  MemoryStateStore,
  emptyState,
  fakeContainer,
  runAudit,
  startDoctorWatch,
  type DockerEvent,
  type Report,
  type WatchEvent,
} from '../../../src/ops/index.js';
import { composeLabels, rules } from './helpers.js';

const ID = 'a'.repeat(64);

function app() {
  return fakeContainer({
    id: ID,
    name: 'w-app-1',
    labels: composeLabels('w', 'app'),
    memory: 1 << 26,
    nanoCpus: 1e9,
    health: 'unhealthy',
    healthcheck: true,
  });
}

/** A restart as the engine reports it: the old process dies (137 after the stop timeout), a new one starts. */
function restartEvents(id: string, s: number, exitCode = '137'): DockerEvent[] {
  return [
    { Type: 'container', Action: 'die', Actor: { ID: id, Attributes: { exitCode } }, time: s },
    { Type: 'container', Action: 'start', Actor: { ID: id, Attributes: {} }, time: s },
  ];
}

describe('restart-loop ignores the restarts the doctor made', () => {
  async function loopFinding(ownRestarts: Record<string, Array<{ from: number; to?: number }>> | undefined) {
    const now = Date.now();
    const docker = new MemoryDocker();
    docker.containers.push(app());
    const s = Math.floor(now / 1000);
    for (const ago of [90, 60, 30]) docker.pastEvents.push(...restartEvents(ID, s - ago));
    const { report } = await runAudit({
      docker,
      rules,
      stateStore: new MemoryStateStore(),
      now: () => now,
      ...(ownRestarts ? { ownRestarts } : {}),
    });
    return report.findings.find((f) => f.ruleId === 'restart-loop');
  }

  it('reports three short runs ending in exit 137 as a loop when nobody claims them', async () => {
    expect((await loopFinding(undefined))?.evidence.exits).toBe(3);
  });

  it('does not when the watch made those restarts', async () => {
    const s = Math.floor(Date.now() / 1000);
    const own = [90, 60, 30].map((ago) => ({ from: (s - ago) * 1000 + 200, to: (s - ago) * 1000 + 900 }));
    expect(await loopFinding({ [ID]: own })).toBeUndefined();
    // Only the restarts it made are discounted: two of three claimed leaves one exit, below minExits.
    expect(await loopFinding({ [ID]: own.slice(0, 2) })).toBeUndefined();
  });

  it('still reports a genuine loop around the watch’s restarts, counting only the genuine exits', async () => {
    const now = Date.now();
    const s = Math.floor(now / 1000);
    const docker = new MemoryDocker();
    docker.containers.push(app());
    for (const ago of [150, 120, 90]) docker.pastEvents.push(...restartEvents(ID, s - ago, '1'));
    for (const ago of [60, 30]) docker.pastEvents.push(...restartEvents(ID, s - ago));
    const own = [60, 30].map((ago) => ({ from: (s - ago) * 1000, to: (s - ago) * 1000 + 500 }));
    const { report } = await runAudit({
      docker,
      rules,
      stateStore: new MemoryStateStore(),
      now: () => now,
      ownRestarts: { [ID]: own },
    });
    const loop = report.findings.find((f) => f.ruleId === 'restart-loop');
    expect(loop?.evidence.exits).toBe(3);
  });

  it('keeps the record in the doctor state for the evaluation window only', async () => {
    const now = Date.now();
    const store = new MemoryStateStore();
    const old = { from: now - 11 * 60_000, to: now - 11 * 60_000 + 500 }; // window: 600 s
    const recent = { from: now - 60_000, to: now - 59_000 };
    await runAudit({
      docker: new MemoryDocker(),
      rules,
      stateStore: store,
      now: () => now,
      ownRestarts: { [ID]: [old, recent, { from: recent.from }] },
    });
    expect(store.state.ownRestarts).toEqual({ [ID]: [recent] });
    expect(emptyState().ownRestarts).toEqual({});
  });
});

/** MemoryDocker whose restart leaves the trace a real engine leaves: a die (137) and a start. */
class RestartingDocker extends MemoryDocker {
  override async restartContainer(id: string): Promise<void> {
    await super.restartContainer(id);
    this.pastEvents.push(...restartEvents(id, Math.floor(Date.now() / 1000)));
  }
}

describe('the watch and its own restarts', () => {
  it('restarts an unhealthy container to its budget without calling that a restart loop, also after the watch restarts', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'doctor-own-restarts-'));
    await writeFile(path.join(dir, 'compose.yaml'), 'name: w\nservices:\n  app:\n    image: busybox\n');
    const docker = new RestartingDocker();
    docker.containers.push(app());
    const config = DoctorConfigSchema.parse({
      watch: { intervalMs: 3_600_000, restartUnhealthy: true },
      restartBudget: { max: 3, windowSeconds: 3600, backoffMinMs: 1, backoffMaxMs: 1 },
    });
    const stateStore = new MemoryStateStore();
    const reports: Report[] = [];
    const events: WatchEvent[] = [];
    const start = () =>
      startDoctorWatch({
        deps: { config, dataDir: dir, docker, stateStore },
        request: { cwd: dir, without: ['listeners', 'processes'] },
        config,
        onReport: (r) => reports.push(r),
        onEvent: (e) => events.push(e),
      });
    const watch = start();
    // The in-memory engine restarts within microtasks: after a pass and a macrotask turn, every
    // restart that pass started has been reported. Passes repeat until the budget (3) is spent.
    const restarts = () => events.filter((e) => e.type === 'container:restart').length;
    for (let pass = 0; pass < 50 && restarts() < 3; pass++) {
      await watch.runNow();
      await new Promise((r) => setImmediate(r));
    }
    // One pass finds the budget spent; the next alerts it.
    await watch.runNow();
    await watch.runNow();
    await watch.stop();
    expect(docker.calls.filter((c) => c.op === 'restart')).toHaveLength(3);
    expect(docker.pastEvents.filter((e) => e.Action === 'die')).toHaveLength(3);
    const ruleIds = (r: Report) => r.findings.map((f) => f.ruleId);
    for (const r of reports) expect(ruleIds(r)).not.toContain('restart-loop');
    expect(ruleIds(reports.at(-1)!)).toContain('unhealthy');
    const newAlerts = events.flatMap((e) => (e.type === 'finding:new' ? [e.finding.message] : []));
    expect(newAlerts.some((m) => /restart budget exhausted/.test(m))).toBe(true);
    expect(newAlerts.some((m) => /exited \d+ times/.test(m))).toBe(false);
    expect(stateStore.state.ownRestarts[ID]).toHaveLength(3);

    // A new watch (the process restarted) reads the record from the state: still no loop.
    reports.length = 0;
    const again = start();
    await again.runNow();
    await again.stop();
    expect(reports.flatMap(ruleIds)).not.toContain('restart-loop');

    // Control: the same engine history judged without that record is a loop.
    const { report } = await runAudit({ docker, rules, stateStore: new MemoryStateStore() });
    expect(ruleIds(report)).toContain('restart-loop');
  });
});
