import type { ClientCapabilities } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { EVERYTHING } from '../../fixtures/mcp/servers.js';
import { useMcpApp, useMcpClients, waitFor } from '../../fixtures/mcp/helpers.js';

/**
 * Server-to-client requests (sampling/createMessage, elicitation/create, roots/list) from
 * server-everything reach the /mcp client whose call caused them, and its answer goes back —
 * through /mcp/{server} and the aggregate, on a shared and on a per-session instance (issue 15,
 * item 1). The client is the v2 SDK client declaring sampling, form elicitation and roots.
 */
const ALL: ClientCapabilities = {
  sampling: {},
  elicitation: { form: {}, url: {} },
  roots: { listChanged: true },
};
const CONDITIONAL = [
  'trigger-sampling-request',
  'trigger-elicitation-request',
  'trigger-url-elicitation',
  'get-roots-list',
];

describe.each([
  ['/mcp/everything', 'shared', ''],
  ['/mcp', 'shared', 'everything__'],
  ['/mcp/solo', 'per-session', ''],
])('server-to-client requests through %s (%s instance)', (path, _sharing, prefix) => {
  const live = useMcpApp({
    everything: { command: process.execPath, args: [EVERYTHING] },
    solo: { command: process.execPath, args: [EVERYTHING], sharing: 'per-session', maxInstances: 4 },
  });
  const open = useMcpClients(live);
  let roots = [{ uri: 'file:///srv/project', name: 'project' }];
  const samples: unknown[] = [];

  /** A client that samples (recorded), declines every elicitation and lists `roots`. */
  const connect = (capabilities: ClientCapabilities) =>
    open(path, capabilities, (client) => {
      client.setRequestHandler('sampling/createMessage', (req) => {
        samples.push(req.params);
        return { role: 'assistant', content: { type: 'text', text: 'sampled by the client' }, model: 'm1' };
      });
      client.setRequestHandler('elicitation/create', () => ({ action: 'decline' }));
      client.setRequestHandler('roots/list', () => ({ roots }));
    });

  it('shows all 17 tools to a client that declares sampling, elicitation (form and URL) and roots', async () => {
    const client = await connect(ALL);
    const names = (await client.listTools()).tools.map((t) => t.name);
    const mine = names.filter((n) => n.startsWith(prefix) && (prefix || !n.includes('__')));
    for (const name of CONDITIONAL) expect(mine).toContain(`${prefix}${name}`);
    expect(mine).toHaveLength(17);
  });

  it('relays sampling/createMessage to the calling client and its answer back to the server', async () => {
    const client = await connect(ALL);
    const before = samples.length;
    const res = await client.callTool({
      name: `${prefix}trigger-sampling-request`,
      arguments: { prompt: 'hello', maxTokens: 5 },
    });
    expect(res.isError).toBeFalsy();
    expect(text(res)).toContain('sampled by the client');
    expect(samples.length).toBe(before + 1);
    expect(JSON.stringify(samples.at(-1))).toContain('hello');
  });

  it('relays elicitation/create and the client’s answer', async () => {
    const client = await connect(ALL);
    const res = await client.callTool({ name: `${prefix}trigger-elicitation-request`, arguments: {} });
    expect(res.isError).toBeFalsy();
    expect(text(res).toLowerCase()).toContain('decline');
  });

  it('relays roots/list, and notifications/roots/list_changed makes the server ask again', async () => {
    const client = await connect(ALL);
    const first = await client.callTool({ name: `${prefix}get-roots-list`, arguments: {} });
    expect(text(first)).toContain('file:///srv/project');
    roots = [{ uri: 'file:///srv/other', name: 'other' }];
    await client.sendRootsListChanged();
    await waitFor(async () => {
      const again = await client.callTool({ name: `${prefix}get-roots-list`, arguments: {} });
      return text(again).includes('file:///srv/other');
    }, 10_000);
    roots = [{ uri: 'file:///srv/project', name: 'project' }];
  });
});

describe('server-to-client requests the client cannot answer', () => {
  const live = useMcpApp({
    everything: { command: process.execPath, args: [EVERYTHING] },
    solo: { command: process.execPath, args: [EVERYTHING], sharing: 'per-session', maxInstances: 4 },
  });
  const connect = useMcpClients(live);

  it('a per-session instance announces only what its client declared', async () => {
    const bare = await connect('/mcp/solo');
    const names = (await bare.listTools()).tools.map((t) => t.name);
    expect(names).toHaveLength(13);
    for (const name of CONDITIONAL) expect(names).not.toContain(name);
    const sampler = await connect('/mcp/solo', { sampling: {} }, (client) =>
      client.setRequestHandler('sampling/createMessage', () => ({
        role: 'assistant',
        content: { type: 'text', text: 'x' },
        model: 'm',
      })),
    );
    expect((await sampler.listTools()).tools.map((t) => t.name)).toContain('trigger-sampling-request');
  });

  it('on a shared instance, a client without sampling gets the protocol error, not a hang', async () => {
    const bare = await connect('/mcp/everything');
    const res = await bare.callTool({
      name: 'trigger-sampling-request',
      arguments: { prompt: 'hi', maxTokens: 5 },
    });
    expect(res.isError).toBe(true);
    expect(text(res)).toMatch(/did not declare the sampling capability/);
  });
});

function text(r: unknown): string {
  return ((r as { content: Array<{ text?: string }> }).content ?? []).map((c) => c.text ?? '').join('\n');
}
