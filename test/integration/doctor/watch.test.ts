import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DoctorConfigSchema } from '../../../src/config/schema.js';
import { MemoryDocker, RestartBudget, type WatchEvent } from '../../../src/ops/index.js';
import {
  startProjectWatch,
  startWebhookReceiver,
  unhealthyApp,
  watchProjectDir,
  type WebhookReceiver,
} from '../../fixtures/doctor/watch-project.js';

describe('doctor watch', () => {
  let receiver: WebhookReceiver;
  let url: string;
  const posts: Array<{ path: string; body: unknown }> = [];
  let dir: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver((path, body) => {
      posts.push({ path, body });
      return 200;
    });
    url = receiver.url;
    dir = await watchProjectDir();
  });
  afterAll(() => receiver.close());

  it('alerts new and resolved findings once, to Slack and JSON webhooks, and restarts an unhealthy container within budget', async () => {
    const docker = new MemoryDocker();
    const app = unhealthyApp('a'.repeat(64));
    docker.containers.push(app);
    const config = DoctorConfigSchema.parse({
      webhooks: [
        { url: `${url}/slack`, format: 'slack', minSeverity: 'high' },
        { url: `${url}/json`, format: 'json', minSeverity: 'high' },
      ],
      watch: { intervalMs: 3_600_000, dedupeMs: 3_600_000, restartUnhealthy: true },
      restartBudget: { max: 1, windowSeconds: 3600, backoffMinMs: 10_000, backoffMaxMs: 300_000 },
    });
    const events: WatchEvent[] = [];
    const watch = startProjectWatch(dir, docker, config, { onEvent: (e) => events.push(e) });
    await watch.runNow();
    // Same finding again: no second alert, no second restart (budget 1) — and the exhausted
    // budget is itself an alert.
    await watch.runNow();
    await watch.runNow();
    expect(posts.map((p) => p.path)).toEqual(['/slack', '/json', '/slack', '/json']);
    expect((posts[2]!.body as { text: string }).text).toMatch(/restart budget exhausted for w-app-1/);
    expect((posts[0]!.body as { text: string }).text).toMatch(/NEW HIGH unhealthy app/);
    expect(posts[1]!.body).toMatchObject({
      event: 'finding:new',
      finding: { ruleId: 'unhealthy', service: 'app' },
    });
    expect(docker.calls.filter((c) => c.op === 'restart')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'container:restart')).toHaveLength(1);

    app.State.Health = { Status: 'healthy' };
    await watch.runNow();
    expect(events.filter((e) => e.type === 'finding:resolved')).toHaveLength(2);
    expect(posts).toHaveLength(8);
    expect((posts[4]!.body as { text: string }).text).toMatch(/RESOLVED/);
    await watch.stop();
    await watch.stop(); // idempotent
  });

  it('backs off restarts from 10 s doubling to 300 s and stops at the budget', () => {
    const b = new RestartBudget({
      max: 10,
      windowSeconds: 3600,
      backoffMinMs: 10_000,
      backoffMaxMs: 300_000,
    });
    expect(b.waitMs('c', 0)).toBe(0);
    b.record('c', 0);
    expect(b.waitMs('c', 0)).toBe(10_000);
    b.record('c', 10_000);
    expect(b.waitMs('c', 10_000)).toBe(20_000);
    for (let i = 0; i < 6; i++) b.record('c', 20_000);
    expect(b.waitMs('c', 20_000)).toBe(300_000);
    b.record('c', 20_000);
    b.record('c', 20_000);
    expect(b.waitMs('c', 20_000)).toBe(Infinity);
  });
});
