import type { Client } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { URL_ELICITATION } from '../../fixtures/mcp/servers.js';
import { useMcpApp, useMcpClients, waitFor } from '../../fixtures/mcp/helpers.js';

/**
 * URL-mode elicitation: the server's `elicitation/create` (mode "url") reaches the calling client,
 * and its later `notifications/elicitation/complete` reaches that client session only (issue 15,
 * item 1), through /mcp/{server} and /mcp, from a real server written with the v2 SDK.
 */
describe.each([
  ['/mcp/links', ''],
  ['/mcp', 'links__'],
])('URL-mode elicitation through %s', (path, prefix) => {
  const connect = useMcpClients(useMcpApp({ links: { command: process.execPath, args: [URL_ELICITATION] } }));

  /** A client that accepts every URL elicitation and records the completion notices it gets. */
  async function urlClient(done: unknown[]): Promise<Client> {
    return connect(path, { elicitation: { url: {} } }, (client) => {
      client.setRequestHandler('elicitation/create', () => ({ action: 'accept' }));
      client.setNotificationHandler('notifications/elicitation/complete', (n) => void done.push(n.params));
    });
  }

  it('relays the completion notice to the session that received the elicitation, and to no other', async () => {
    const mine: unknown[] = [];
    const others: unknown[] = [];
    const caller = await urlClient(mine);
    await urlClient(others);
    const res = await caller.callTool({ name: `${prefix}open-link`, arguments: {} });
    const text = (res.content as Array<{ text: string }>)[0]!.text;
    expect(text).toMatch(/^link-\d+: accept$/);
    const id = text.split(':')[0];
    await waitFor(() => mine.length > 0, 10_000);
    expect(mine).toEqual([{ elicitationId: id }]);
    expect(others).toEqual([]);
  });

  it('refuses URL mode to a client that declared only form elicitation', async () => {
    const formOnly = await connect(path, { elicitation: { form: {} } }, (client) =>
      client.setRequestHandler('elicitation/create', () => ({ action: 'accept' })),
    );
    // The fixture lets the refusal propagate: its tools/call fails with the gateway's message.
    await expect(formOnly.callTool({ name: `${prefix}open-link`, arguments: {} })).rejects.toThrow(
      /did not declare URL-mode elicitation/,
    );
  });
});
