import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint, negotiateApiVersion, parseProcNetTcp } from '../../../src/ops/index.js';
import { readCgroupMemory } from '../../../src/ops/sources/cgroup-memory.js';

describe('sources', () => {
  it('parses LISTEN sockets from /proc/net/tcp and tcp6', () => {
    const v4 = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:2712 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0',
      '   1: 0100007F:2712 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 12346 1 0',
    ].join('\n');
    expect(parseProcNetTcp(v4, 4)).toEqual([{ ip: '127.0.0.1', port: 10002, family: 4, inode: 12345 }]);
    const v6 =
      'h\n   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 777 1\n   1: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 778 1';
    expect(parseProcNetTcp(v6, 6).map((l) => [l.ip, l.port])).toEqual([
      ['::', 8080],
      ['::1', 80],
    ]);
  });

  it('negotiates the API version between 1.41 and 1.47', () => {
    expect(negotiateApiVersion('1.41')).toBe('1.41');
    expect(negotiateApiVersion('1.45')).toBe('1.45');
    expect(negotiateApiVersion('1.51')).toBe('1.47');
    expect(() => negotiateApiVersion('1.40')).toThrow(/older than 1.41/);
  });

  it('fingerprints command lines that differ only in paths, numbers and ids', () => {
    expect(
      fingerprint('node /home/a/.npm/_npx/1f2e3d4c5b6a7980/node_modules/.bin/mcp-server-memory --port 4031'),
    ).toBe(
      fingerprint('node /root/.npm/_npx/ffeeddccbbaa0099/node_modules/.bin/mcp-server-memory --port 4999'),
    );
  });

  it('reads memory use from a cgroup v1 or v2 tree, minus inactive page cache', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cg-'));
    const v1 = path.join(root, 'memory/docker/abc');
    await mkdir(v1, { recursive: true });
    await writeFile(path.join(v1, 'memory.usage_in_bytes'), '1000\n');
    await writeFile(path.join(v1, 'memory.limit_in_bytes'), '4096\n');
    await writeFile(path.join(v1, 'memory.stat'), 'cache 10\ntotal_inactive_file 200\n');
    expect(await readCgroupMemory('abc', root)).toEqual({ usage: 800, limit: 4096 });
    const v2 = path.join(root, 'system.slice/docker-def.scope');
    await mkdir(v2, { recursive: true });
    await writeFile(path.join(v2, 'memory.current'), '5000\n');
    await writeFile(path.join(v2, 'memory.max'), 'max\n');
    await writeFile(path.join(v2, 'memory.stat'), 'inactive_file 1000\n');
    expect(await readCgroupMemory('def', root)).toEqual({ usage: 4000, limit: 0 });
    expect(await readCgroupMemory('nope', root)).toBeUndefined();
  });
});
