import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { reapLedger } from '../../../src/mcp/index.js';
import { aliveWithMarker, waitFor } from '../../fixtures/mcp/helpers.js';
import { badServer } from '../../fixtures/mcp/servers.js';

const HOST = path.resolve('test/fixtures/mcp/gateway-host.ts');

function startHost(configPath: string, dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', HOST, configPath, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<{ marker: string; pids: number[] }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('READY ')) resolve(JSON.parse(line.slice(6)));
    });
    child.once('exit', (code) => reject(new Error(`gateway host exited with ${code}`)));
  });
  return { child, ready };
}

describe('no orphans after the gateway is SIGKILLed', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sutazai-mcp-orphans-'));
  const configPath = path.join(dir, '.mcp.json');
  const dataDir = path.join(dir, 'data');
  const markers: string[] = [];
  afterAll(async () => {
    await reapLedger(dataDir, 100);
    for (const m of markers) expect(aliveWithMarker(m)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('kills children, SIGTERM-ignoring servers and grandchildren within 5 s, and the next start finds none', async () => {
    writeFileSync(
      configPath,
      JSON.stringify({
        mcpServers: {
          plain: badServer(''),
          stubborn: badServer('ignore-sigterm,ignore-stdin-close,grandchild,setsid-grandchild'),
        },
      }),
    );
    const first = startHost(configPath, dataDir);
    const { marker, pids } = await first.ready;
    markers.push(marker);
    expect(pids).toHaveLength(2);
    expect(aliveWithMarker(marker).length).toBeGreaterThanOrEqual(4); // 2 servers + 2 grandchildren
    first.child.kill('SIGKILL');
    await waitFor(() => aliveWithMarker(marker).length === 0, 5000);

    const second = startHost(configPath, dataDir);
    const next = await second.ready;
    markers.push(next.marker);
    expect(aliveWithMarker(marker)).toEqual([]);
    second.child.kill('SIGKILL');
    await waitFor(() => aliveWithMarker(next.marker).length === 0, 5000);
  });

  it('reapLedger kills what a dead gateway left when no watchdog did', async () => {
    // Simulate a watchdog that never ran: a ledger whose owner is dead, naming a live group.
    const victim = spawn(process.execPath, ['-e', 'process.on("SIGTERM",()=>{});setInterval(()=>{},1000)'], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, SUTAZAI_MCP_MARKER: 'deadbeef' },
    });
    const ledgerDir = path.join(dataDir, 'mcp-ledger');
    writeFileSync(
      path.join(ledgerDir, '1-deadbeef.json'),
      JSON.stringify({
        ownerPid: 999_999_999,
        ownerStart: 0,
        marker: 'deadbeef',
        groups: [{ pgid: victim.pid, server: 'x', startedAt: '' }],
      }),
    );
    await waitFor(() => aliveWithMarker('deadbeef').length === 1);
    const report = await reapLedger(dataDir, 200);
    expect(report.killedGroups).toContain(victim.pid);
    expect(aliveWithMarker('deadbeef')).toEqual([]);
  });
});
