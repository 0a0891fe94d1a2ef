import { describe, expect, it } from 'vitest';
import { McpConfigSchema } from '../../../src/config/schema.js';
import { parseServers, toolAllowed } from '../../../src/mcp/config/load.js';

const defaults = McpConfigSchema.parse({});

describe('.mcp.json parsing', () => {
  it('reads the format MCP clients use, with SutazAI settings and defaults', () => {
    const { servers, problems } = parseServers(
      JSON.stringify({
        mcpServers: {
          fs: {
            command: 'node',
            args: ['x.js'],
            env: { A: '1' },
            cwd: 'sub',
            sharing: { pool: 3 },
            memoryBudgetMb: 64,
          },
          remote: {
            url: 'http://127.0.0.1:9/mcp',
            headers: { authorization: 'Bearer t' },
            sharing: 'per-session',
          },
          plain: { command: 'srv' },
        },
      }),
      defaults,
      '/base',
    );
    expect(problems).toEqual([]);
    const [fs, remote, plain] = servers;
    expect(fs).toMatchObject({
      transport: { kind: 'stdio', command: 'node', args: ['x.js'], env: { A: '1' }, cwd: '/base/sub' },
      sharing: { mode: 'pool', size: 3 },
      maxInstances: 3,
      memoryBudgetBytes: 64 * 1024 * 1024,
    });
    expect(remote).toMatchObject({ transport: { kind: 'http' }, sharing: { mode: 'per-session' } });
    expect(plain).toMatchObject({
      sharing: { mode: 'shared' },
      callTimeoutMs: defaults.callTimeoutMs,
      enabled: true,
    });
  });

  it('reports each bad entry with its path and keeps the good ones', () => {
    const { servers, problems } = parseServers(
      JSON.stringify({
        mcpServers: {
          ok: { command: 'a' },
          nocmd: { args: [] },
          typo: { command: 'a', sharring: 'shared' },
          a__b: { command: 'a' },
        },
      }),
      defaults,
      '/',
    );
    expect(servers.map((s) => s.name)).toEqual(['ok']);
    expect(problems.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mcpServers\.nocmd/),
        'mcpServers.typo',
        'mcpServers.a__b',
      ]),
    );
  });

  it('survives invalid JSON and a missing mcpServers key', () => {
    expect(parseServers('{', defaults, '/').problems[0]!.path).toBe('(file)');
    expect(parseServers('{}', defaults, '/')).toEqual({ servers: [], problems: [] });
  });

  it('applies allow and deny lists, deny winning', () => {
    const { servers } = parseServers(
      JSON.stringify({ mcpServers: { s: { command: 'a', allowTools: ['x', 'y'], denyTools: ['y'] } } }),
      defaults,
      '/',
    );
    const s = servers[0]!;
    expect([toolAllowed(s, 'x'), toolAllowed(s, 'y'), toolAllowed(s, 'z')]).toEqual([true, false, false]);
  });

  it('changes the fingerprint when an entry changes', () => {
    const fp = (cfg: unknown) =>
      parseServers(JSON.stringify({ mcpServers: { s: cfg } }), defaults, '/').servers[0]!.fingerprint;
    expect(fp({ command: 'a' })).toBe(fp({ command: 'a' }));
    expect(fp({ command: 'a' })).not.toBe(fp({ command: 'a', args: ['1'] }));
  });
});
