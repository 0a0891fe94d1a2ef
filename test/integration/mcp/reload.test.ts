import { afterEach, describe, expect, it } from 'vitest';
import type { McpGatewayError } from '../../../src/mcp/index.js';
import { badServer } from '../../fixtures/mcp/servers.js';
import { isAlive, startTestGateway, waitFor, type TestGateway } from '../../fixtures/mcp/helpers.js';

describe('.mcp.json hot reload', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    const closing = gw;
    gw = undefined;
    await closing?.close();
  });

  it('adds a new server and drains a removed one without failing its in-flight call', async () => {
    gw = await startTestGateway({ old: badServer('') }, { reloadDebounceMs: 50 });
    const g = gw.mcp.gateway;
    await g.callTool('old', 'echo', {});
    const oldPid = gw.mcp.servers()[0]!.pids[0]!;
    const inFlight = g.callTool('old', 'sleep', { ms: 800 });
    await new Promise((r) => setTimeout(r, 100));
    gw.writeConfig({ new: badServer('') }); // the file watcher picks this up
    await waitFor(() => g.serverNames().join() === 'new');
    const result = await inFlight;
    expect(result.content).toEqual([{ type: 'text', text: 'slept 800' }]);
    await waitFor(() => !isAlive(oldPid));
    const err = await g.callTool('old', 'echo', {}).catch((e: unknown) => e as McpGatewayError);
    expect((err as McpGatewayError).kind).toBe('not_found');
    expect((await g.callTool('new', 'echo', { text: 'n' })).content).toEqual([
      { type: 'text', text: 'echo: n' },
    ]);
  });

  it('keeps unchanged servers running, replaces changed ones, and skips a bad entry', async () => {
    gw = await startTestGateway({ keep: badServer(''), change: badServer('') }, { reloadDebounceMs: 0 });
    const g = gw.mcp.gateway;
    await g.callTool('keep', 'echo', {});
    await g.callTool('change', 'echo', {});
    const pid = (n: string) => gw!.mcp.servers().find((s) => s.name === n)?.pids[0];
    const keepPid = pid('keep');
    const changePid = pid('change')!;
    gw.writeConfig({
      keep: badServer(''),
      change: badServer('', { callTimeoutMs: 1234 }),
      bad: { command: 5 },
    });
    const diff = await g.reload();
    expect(diff.changed).toEqual(['change']);
    expect(diff.problems[0]!.path).toBe('mcpServers.bad.command');
    expect(pid('keep')).toBe(keepPid);
    await waitFor(() => !isAlive(changePid));
    await g.callTool('change', 'echo', {});
    expect(pid('change')).not.toBe(changePid);
  });

  it('treats a missing .mcp.json as no servers', async () => {
    gw = await startTestGateway({});
    const { rmSync } = await import('node:fs');
    rmSync(gw.configPath);
    await gw.mcp.gateway.reload();
    expect(gw.mcp.status()).toMatchObject({ configFound: false, servers: 0, problems: [] });
  });
});
