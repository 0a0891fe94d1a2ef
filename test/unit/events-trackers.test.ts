import { describe, expect, it } from 'vitest';
import { eventFromNotify, type PlatformEvent } from '../../src/events/index.js';
import { healthChangeTracker, mcpChangeTracker } from '../../src/events/change-sources.js';
import type { HealthReport } from '../../src/health/index.js';
import type { ServerStatus } from '../../src/mcp/index.js';

const status = (state: string, pids: number[], restarts: number) =>
  ({ name: 'fs', state, pids, restarts }) as unknown as ServerStatus;

describe('event change trackers', () => {
  it('publishes an MCP event only when state, pid or restarts changed', () => {
    const out: PlatformEvent[] = [];
    const track = mcpChangeTracker((e) => out.push(e));
    track(status('starting', [], 0), 'fs');
    track(status('starting', [], 0), 'fs');
    track(status('ready', [42], 0), 'fs');
    track(status('ready', [42], 0), 'fs');
    track(status('crashloop', [], 1), 'fs');
    expect(out.map((e) => e.data.state)).toEqual(['starting', 'ready', 'crashloop']);
    expect(out[1]!.data).toMatchObject({ server: 'fs', pid: 42, restarts: 0 });
    expect(out[2]!.data).toMatchObject({ pid: null, restarts: 1 });
    expect(out.every((e) => e.audience.kind === 'all')).toBe(true);
  });

  it('publishes a health event per check whose status changed', () => {
    const out: PlatformEvent[] = [];
    const track = healthChangeTracker((e) => out.push(e));
    const report = (db: 'up' | 'down'): HealthReport => ({
      status: 'up',
      ready: true,
      checks: [
        { name: 'database', required: true, status: db, latencyMs: 1, checkedAt: 'now', error: null },
        { name: 'ollama', required: false, status: 'down', latencyMs: 2, checkedAt: 'now', error: 'x' },
      ],
    });
    track(report('up'));
    track(report('up'));
    track(report('down'));
    expect(out.map((e) => `${e.data.name}:${e.data.status}`)).toEqual([
      'database:up',
      'ollama:down',
      'database:down',
    ]);
  });

  it('reads trigger payloads, keeps the owner out of the data, and ignores junk', () => {
    const e = eventFromNotify(
      '{"t":"task","id":"1","type":"x","state":"running","agent_id":null,"attempts":1,"updated_at":"2030-01-01T00:00:00.5+00:00","owner_id":"u1"}',
    );
    expect(e).toEqual({
      type: 'task',
      data: {
        id: '1',
        type: 'x',
        state: 'running',
        agent_id: null,
        attempts: 1,
        updated_at: '2030-01-01T00:00:00.500Z',
      },
      audience: { kind: 'owner', ownerId: 'u1' },
    });
    expect(eventFromNotify('not json')).toBeUndefined();
    expect(eventFromNotify('{"t":"other"}')).toBeUndefined();
  });
});
