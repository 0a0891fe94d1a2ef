import { afterEach, describe, expect, it } from 'vitest';
import { McpGatewayError } from '../../../src/mcp/index.js';
import { badServer } from '../../fixtures/mcp/servers.js';
import { isAlive, startTestGateway, waitFor, type TestGateway } from '../../fixtures/mcp/helpers.js';

const text = (r: { content?: Array<{ type: string; text?: string }> }) => r.content?.[0]?.text ?? '';

describe('MCP supervisor with misbehaving servers', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    const closing = gw;
    gw = undefined;
    await closing?.close();
  });

  it('puts a server that crashes at start into crashloop with doubling, capped back-off, and answers 503', async () => {
    gw = await startTestGateway({ crasher: badServer('crash-at-start') });
    const g = gw.mcp.gateway;
    const err = await g.callTool('crasher', 'echo', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpGatewayError);
    expect((err as McpGatewayError).kind).toBe('crashloop');
    expect((err as McpGatewayError).data.retryAfter).toBeGreaterThanOrEqual(1);
    // The reconcile loop restarts it after each back-off: 200, 400, 800, 800 (capped).
    const status = await waitFor(() => {
      const s = gw!.mcp.servers()[0]!;
      return s.backoffMs.length >= 4 ? s : undefined;
    });
    expect(status.backoffMs.slice(0, 4)).toEqual([200, 400, 800, 800]);
    expect(status.state).toBe('crashloop');
    expect(status.stderr.join('\n')).toContain('crashing at start');
    expect(status.lastError).toMatch(/start failed/);
  });

  it('restarts a server that crashes after N calls and serves again after the back-off', async () => {
    gw = await startTestGateway({ flaky: badServer('crash-after=2') });
    const g = gw.mcp.gateway;
    expect(text(await g.callTool('flaky', 'echo', { text: 'a' }))).toBe('echo: a');
    expect(text(await g.callTool('flaky', 'echo', { text: 'b' }))).toBe('echo: b');
    const crash = await g.callTool('flaky', 'echo', {}).catch((e: unknown) => e as McpGatewayError);
    expect(['unavailable', 'crashloop']).toContain((crash as McpGatewayError).kind);
    expect(gw.mcp.servers()[0]!.state).toBe('crashloop');
    await waitFor(() => gw!.mcp.servers()[0]!.state === 'ready');
    expect(text(await g.callTool('flaky', 'echo', { text: 'c' }))).toBe('echo: c');
    expect(gw.mcp.servers()[0]!.restarts).toBe(1);
  });

  it('times out a hung call, replaces the hung instance, and keeps serving', async () => {
    gw = await startTestGateway({ hang: badServer('') }, { callTimeoutMs: 500 });
    const g = gw.mcp.gateway;
    await g.callTool('hang', 'echo', {});
    const firstPid = gw.mcp.servers()[0]!.pids[0]!;
    const err = await g.callTool('hang', 'hang', {}).catch((e: unknown) => e as McpGatewayError);
    expect((err as McpGatewayError).kind).toBe('timeout');
    await waitFor(() => !isAlive(firstPid));
    expect(text(await g.callTool('hang', 'echo', { text: 'x' }))).toBe('echo: x');
    const s = gw.mcp.servers()[0]!;
    expect(s.pids[0]).not.toBe(firstPid);
    expect(s.restarts).toBe(1);
    expect(s.lastError).toMatch(/timeout/);
  });

  it('extends a call timeout while the server reports progress', async () => {
    gw = await startTestGateway({ slow: badServer('') }, { callTimeoutMs: 400 });
    const progress: number[] = [];
    const r = await gw.mcp.gateway.callTool(
      'slow',
      'sleep',
      { ms: 1000 },
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect(text(r)).toBe('slept 1000');
    expect(progress.slice(0, 3)).toEqual([1, 2, 3]);
  });

  it('keeps only a bounded tail of a flooding server stderr', async () => {
    gw = await startTestGateway({ flood: badServer('flood-stderr') }, { stderrLines: 50 });
    await gw.mcp.gateway.callTool('flood', 'flood', { n: 2000 });
    const s = gw.mcp.servers()[0]!;
    expect(s.stderr.length).toBeLessThanOrEqual(20);
    const rt = gw.mcp.gateway.runtime('flood');
    await waitFor(() => rt.stderr.dropped > 6000);
    expect(rt.stderr.tail().length).toBe(50);
  });

  it('kills a server that ignores SIGTERM and the grandchildren it forked, on close', async () => {
    gw = await startTestGateway({ stubborn: badServer('ignore-sigterm,grandchild,setsid-grandchild') });
    const info = JSON.parse(text(await gw.mcp.gateway.callTool('stubborn', 'pids', {}))) as {
      pid: number;
      children: number[];
    };
    expect(info.children).toHaveLength(2);
    for (const pid of [info.pid, ...info.children]) expect(isAlive(pid)).toBe(true);
    await gw.mcp.close();
    for (const pid of [info.pid, ...info.children]) expect(isAlive(pid)).toBe(false);
  });

  it('stops an idle instance and starts it again on the next call', async () => {
    gw = await startTestGateway({ idle: badServer('', { idleTimeoutMs: 300 }) }, { probeIntervalMs: 100 });
    await gw.mcp.gateway.callTool('idle', 'echo', {});
    const pid = gw.mcp.servers()[0]!.pids[0]!;
    await waitFor(() => gw!.mcp.servers()[0]!.state === 'stopped');
    await waitFor(() => !isAlive(pid));
    await gw.mcp.gateway.callTool('idle', 'echo', {});
    expect(gw.mcp.servers()[0]!.state).toBe('ready');
  });

  it('restarts an instance over its memory budget and counts it', async () => {
    gw = await startTestGateway({ fat: badServer('', { memoryBudgetMb: 1 }) }, { probeIntervalMs: 100 });
    await gw.mcp.gateway.callTool('fat', 'echo', {}).catch(() => undefined); // may be killed mid-call
    await waitFor(() => gw!.mcp.servers()[0]!.lastError?.includes('over budget'));
    expect(gw.mcp.servers()[0]!.restarts).toBeGreaterThanOrEqual(1);
  });

  it('runs a pool of n instances and spreads concurrent calls; respects the global process cap', async () => {
    gw = await startTestGateway(
      { pool: badServer('', { sharing: { pool: 2 }, maxInFlight: 1 }), other: badServer('') },
      { maxProcesses: 2, slotWaitMs: 300 },
    );
    const g = gw.mcp.gateway;
    await Promise.all([1, 2, 3, 4].map(() => g.callTool('pool', 'sleep', { ms: 200 })));
    expect(gw.mcp.servers().find((s) => s.name === 'pool')!.pids).toHaveLength(2);
    const err = await g.callTool('other', 'echo', {}).catch((e: unknown) => e as McpGatewayError);
    expect((err as McpGatewayError).kind).toBe('overloaded');
  });

  it('gives each session its own instance in per-session mode', async () => {
    gw = await startTestGateway({ ps: badServer('', { sharing: 'per-session' }) });
    const g = gw.mcp.gateway;
    const a = JSON.parse(text(await g.callTool('ps', 'pids', {}, { sessionKey: 'a' }))).pid;
    const b = JSON.parse(text(await g.callTool('ps', 'pids', {}, { sessionKey: 'b' }))).pid;
    const a2 = JSON.parse(text(await g.callTool('ps', 'pids', {}, { sessionKey: 'a' }))).pid;
    expect(a).not.toBe(b);
    expect(a2).toBe(a);
  });
});
