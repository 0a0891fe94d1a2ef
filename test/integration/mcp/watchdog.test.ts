import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { badServer } from '../../fixtures/mcp/servers.js';
import {
  isAlive,
  markerOf,
  startTestGateway,
  waitFor,
  type TestGateway,
} from '../../fixtures/mcp/helpers.js';

/** Processes whose command line names this gateway's marker: its watchdog, if one runs. */
function watchdogsOf(marker: string): number[] {
  const found: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (argv.includes('sutazai-mcp-watchdog') && argv.includes(marker)) found.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}

/** The orphan watchdog runs only while there are children, and is small (issue 15, item 9). */
describe('orphan watchdog when idle', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  it('runs no watchdog when no MCP server is declared', async () => {
    gw = await startTestGateway({});
    expect(gw.mcp.gateway.watchdogPid).toBeUndefined();
    expect(watchdogsOf(markerOf(gw.mcp))).toEqual([]);
  });

  it('runs no watchdog while declared servers have no process, one small one while they do', async () => {
    gw = await startTestGateway({ fx: badServer('', { idleTimeoutMs: 300 }) });
    const marker = markerOf(gw.mcp);
    expect(watchdogsOf(marker)).toEqual([]); // servers start lazily
    await gw.mcp.gateway.callTool('fx', 'echo', { text: 'x' });
    const pid = gw.mcp.gateway.watchdogPid!;
    expect(watchdogsOf(marker)).toEqual([pid]);
    expect(rssKb(pid)).toBeLessThan(8 * 1024); // a shell, not a 41 MB Node process
    // The idle server stops; the watchdog follows it shortly after.
    await waitFor(() => gw!.mcp.servers()[0]!.pids.length === 0);
    await waitFor(() => watchdogsOf(marker).length === 0 && !isAlive(pid));
    expect(gw.mcp.gateway.watchdogPid).toBeUndefined();
    // A new child brings a new watchdog.
    await gw.mcp.gateway.callTool('fx', 'echo', { text: 'y' });
    expect(watchdogsOf(marker)).toHaveLength(1);
  });

  it('leaves nothing running after a clean close', async () => {
    gw = await startTestGateway({ fx: badServer('') });
    const marker = markerOf(gw.mcp);
    await gw.mcp.gateway.callTool('fx', 'echo', { text: 'x' });
    const pid = gw.mcp.gateway.watchdogPid!;
    await gw.close();
    gw = undefined;
    await waitFor(() => !isAlive(pid) && watchdogsOf(marker).length === 0);
  });
});
