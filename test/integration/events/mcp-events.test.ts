import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/index.js';
import { startEvents, type EventsService } from '../../../src/events/index.js';
import { badServer } from '../../fixtures/mcp/servers.js';
import { startTestGateway, type TestGateway } from '../../fixtures/mcp/helpers.js';
import { parseFrame, type SseFrame } from '../../helpers/sse.js';

/** Only the MCP source is under test: the database listener is a no-op here. */
const noDb = { listen: async () => async () => undefined } as unknown as Db;

describe('MCP server state changes on the events stream', () => {
  let gw: TestGateway;
  let events: EventsService;
  const frames: SseFrame[] = [];
  let wake: () => void = () => undefined;
  const waitFor = (match: (f: SseFrame) => boolean) =>
    new Promise<SseFrame>((resolve) => {
      const check = () => {
        const found = frames.find(match);
        if (found) resolve(found);
        else wake = check;
      };
      check();
    });

  beforeAll(async () => {
    // A long back-off: after the kill the server stays down, so its state is there to see.
    gw = await startTestGateway({ fx: badServer('') }, { backoffBaseMs: 30_000, backoffMaxMs: 60_000 });
    events = await startEvents({
      db: noDb,
      logger: pino({ level: 'silent' }),
      options: {
        replaySize: 100,
        bufferBytes: 1 << 20,
        maxStreams: 10,
        maxStreamsPerUser: 10,
        reconnectRetryMs: 1000,
        heartbeatMs: 60_000,
        healthIntervalMs: 60_000,
      },
      mcp: {
        onStateChange: (l) => gw.mcp.gateway.stateListeners.add(l),
        status: (name) => gw.mcp.servers().find((s) => s.name === name),
      },
    });
    events.hub.subscribe({ admin: false, ownerId: 'u' }, 'u', {
      write: (chunk) => {
        frames.push(parseFrame(chunk));
        wake();
      },
      buffered: () => 0,
      end: () => undefined,
    });
  });
  afterAll(async () => {
    await events?.close();
    await gw?.close();
  });

  const mcpData = (f: SseFrame) =>
    JSON.parse(f.data!) as { server: string; state: string; pid: number | null };

  it('streams ready with the pid, then the state after the child is killed, to a plain user', async () => {
    await gw.mcp.gateway.callTool('fx', 'echo', { text: 'up' });
    const ready = await waitFor((f) => f.event === 'mcp' && mcpData(f).state === 'ready');
    const pid = mcpData(ready).pid!;
    expect(pid).toBe(gw.mcp.servers()[0]!.pids[0]);
    process.kill(pid, 'SIGKILL');
    const after = await waitFor((f) => f.event === 'mcp' && frames.indexOf(f) > frames.indexOf(ready));
    expect(mcpData(after)).toMatchObject({ server: 'fx', pid: null });
    expect(mcpData(after).state).not.toBe('ready');
    expect(JSON.parse(after.data!)).toHaveProperty('since');
  });
});
