import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, type ServerCapabilities } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING, FILESYSTEM } from '../../fixtures/mcp/servers.js';
import { useMcpApp, useMcpClients } from '../../fixtures/mcp/helpers.js';

/**
 * The capabilities /mcp and /mcp/{server} announce are the union of what their upstreams announce
 * (issue 15, item 1; decision 0063), from real servers: server-everything announces logging and
 * completions, server-filesystem does not. A session keeps what it was told at its initialize.
 */
const KINDS = ['tools', 'prompts', 'resources', 'logging', 'completions'] as const;
const dir = mkdtempSync(path.join(os.tmpdir(), 'sutazai-caps-'));
const everything = { command: process.execPath, args: [EVERYTHING] };
const files = { command: process.execPath, args: [FILESYSTEM, dir] };

/** The kinds a server announces when a client talks to it directly over stdio. */
async function announcedDirectly(server: { command: string; args: string[] }): Promise<ServerCapabilities> {
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(new StdioClientTransport({ ...server, stderr: 'ignore' }));
  try {
    return client.getServerCapabilities() ?? {};
  } finally {
    await client.close();
  }
}

const kinds = (caps: ServerCapabilities | undefined) => KINDS.filter((k) => caps?.[k] !== undefined);

describe('announced capabilities', () => {
  const live = useMcpApp({ files });
  const connect = useMcpClients(live);
  let direct: { everything: ServerCapabilities; files: ServerCapabilities };

  beforeAll(async () => {
    direct = { everything: await announcedDirectly(everything), files: await announcedDirectly(files) };
    // What makes this test mean something: the two servers differ.
    expect(kinds(direct.everything)).toEqual(expect.arrayContaining(['logging', 'completions']));
    expect(kinds(direct.files)).not.toContain('logging');
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('/mcp/{server} announces what its server announces', async () => {
    const client = await connect('/mcp/files');
    expect(kinds(client.getServerCapabilities())).toEqual(kinds(direct.files));
    // A method the server does not offer is -32601, as from the server itself.
    await expect(client.setLoggingLevel('debug')).rejects.toMatchObject({ code: -32601 });
  });

  it('/mcp announces the union, updated for new sessions as servers come and go; a session keeps its own', async () => {
    const before = await connect('/mcp');
    expect(kinds(before.getServerCapabilities())).toEqual(kinds(direct.files));

    live.gw.writeConfig({ files, everything });
    await live.gw.mcp.gateway.reload();
    const after = await connect('/mcp');
    const union = KINDS.filter((k) => direct.files[k] !== undefined || direct.everything[k] !== undefined);
    expect(kinds(after.getServerCapabilities())).toEqual(union);
    expect(after.getServerCapabilities()?.resources?.subscribe).toBe(
      Boolean(direct.files.resources?.subscribe || direct.everything.resources?.subscribe),
    );
    await after.setLoggingLevel('debug'); // forwarded to server-everything
    // The session opened before keeps what it was told at its initialize (decision 0063).
    expect(kinds(before.getServerCapabilities())).toEqual(kinds(direct.files));
    await expect(before.setLoggingLevel('debug')).rejects.toMatchObject({ code: -32601 });

    live.gw.writeConfig({ files });
    await live.gw.mcp.gateway.reload();
    const last = await connect('/mcp');
    expect(kinds(last.getServerCapabilities())).toEqual(kinds(direct.files));
  }, 60_000);
});
