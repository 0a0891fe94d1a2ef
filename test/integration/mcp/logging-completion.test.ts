import type { Client } from '@modelcontextprotocol/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING, badServer } from '../../fixtures/mcp/servers.js';
import { useMcpApp, useMcpClients, waitFor } from '../../fixtures/mcp/helpers.js';

/**
 * Logging, completion and subscriptions pass through both endpoints to server-everything, with the v2 SDK
 * client (issue 15, item 1: logging/setLevel, notifications/message, completion/complete,
 * resources/subscribe).
 */
describe.each([
  ['/mcp/everything', ''],
  ['/mcp', 'everything__'],
])('logging and completion through %s', (path, prefix) => {
  const connect = useMcpClients(
    useMcpApp({ everything: { command: process.execPath, args: [EVERYTHING] }, fx: badServer('') }),
  ).bind(null, path);

  it('announces logging and completions', async () => {
    const client = await connect();
    expect(client.getServerCapabilities()).toMatchObject({ logging: {}, completions: {} });
  });

  it('forwards logging/setLevel and relays the upstream log messages to the session that asked', async () => {
    const listening = await connect();
    const silent = await connect(); // never asked for logs
    const got: Array<{ level: string; logger?: string }> = [];
    const unasked: unknown[] = [];
    listening.setNotificationHandler('notifications/message', (n) => void got.push(n.params as never));
    silent.setNotificationHandler('notifications/message', (n) => void unasked.push(n.params));
    await listening.setLoggingLevel('debug');
    // server-everything sends one message at once and then one every 5 s while this is on.
    await listening.callTool({ name: `${prefix}toggle-simulated-logging`, arguments: {} });
    await waitFor(() => got.length > 0, 15_000);
    if (prefix) expect(got[0]!.logger?.startsWith('everything')).toBe(true);
    expect(unasked).toEqual([]);
    await listening.callTool({ name: `${prefix}toggle-simulated-logging`, arguments: {} });
  }, 30_000);

  it('relays resources/updated only to the sessions that subscribed', async () => {
    const subscriber = await connect();
    const other = await connect();
    expect(subscriber.getServerCapabilities()?.resources?.subscribe).toBe(true);
    const uri = (await subscriber.listResources()).resources[0]!.uri;
    const updates: string[] = [];
    const unasked: string[] = [];
    subscriber.setNotificationHandler(
      'notifications/resources/updated',
      (n) => void updates.push(n.params.uri),
    );
    other.setNotificationHandler('notifications/resources/updated', (n) => void unasked.push(n.params.uri));
    await subscriber.subscribeResource({ uri });
    // server-everything sends an update for every subscribed URI at once and then every 5 s.
    await subscriber.callTool({ name: `${prefix}toggle-subscriber-updates`, arguments: {} });
    await waitFor(() => updates.length > 0, 15_000);
    expect(updates[0]).toBe(uri);
    expect(unasked).toEqual([]);
    await subscriber.unsubscribeResource({ uri });
    await subscriber.callTool({ name: `${prefix}toggle-subscriber-updates`, arguments: {} });
  }, 30_000);

  it('routes completion/complete for a prompt argument to the prompt owner', async () => {
    const client = await connect();
    const res = await client.complete({
      ref: { type: 'ref/prompt', name: `${prefix}completable-prompt` },
      argument: { name: 'department', value: 'Eng' },
    });
    expect(res.completion.values).toEqual(['Engineering']);
  });

  it('routes completion/complete for a resource template to its owner', async () => {
    const client = await connect();
    const { resourceTemplates } = await client.listResourceTemplates();
    const template = resourceTemplates.find((t) => t.uriTemplate.includes('text'))!;
    const res = await client.complete({
      ref: { type: 'ref/resource', uri: template.uriTemplate },
      argument: { name: 'resourceId', value: '1' },
    });
    expect(Array.isArray(res.completion.values)).toBe(true);
  });
});

describe('after an upstream restart', () => {
  const live = useMcpApp({ everything: { command: process.execPath, args: [EVERYTHING] } });
  const connect = useMcpClients(live);
  let client: Client;
  beforeAll(async () => {
    client = await connect('/mcp/everything');
  });

  it('subscribes the new instance to the resources sessions still hold', async () => {
    const uri = (await client.listResources()).resources[0]!.uri;
    const updates: string[] = [];
    client.setNotificationHandler('notifications/resources/updated', (n) => void updates.push(n.params.uri));
    await client.subscribeResource({ uri });
    const rt = live.gw.mcp.gateway.runtime('everything');
    const before = rt.readyInstances()[0]!.pid!;
    process.kill(before, 'SIGKILL');
    // The crashed server comes back after its (short, test) back-off on the next call.
    await waitFor(async () => {
      await client.ping().catch(() => {});
      const now = rt.readyInstances()[0]?.pid;
      return now !== undefined && now !== before;
    }, 20_000);
    // The new process has no subscriptions of its own: updates arrive only if the gateway re-subscribed.
    await client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    await waitFor(() => updates.includes(uri), 15_000);
  }, 60_000);
});
