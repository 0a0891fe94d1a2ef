import type { ClientCapabilities } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import {
  MAX_OPEN_URL_ELICITATIONS,
  MAX_PENDING_SERVER_REQUESTS,
  ServerRequestRelay,
  type RelayTarget,
} from '../../../src/mcp/aggregate/server-requests.js';
import type { UpstreamRequest } from '../../../src/mcp/upstream/connect.js';

/** Which client session a server-to-client request goes to, and the refusals (decision 0040). */
interface Sent {
  session: string;
  relatedRequestId: unknown;
}

function fakeTarget(session: string, caps: ClientCapabilities, sent: Sent[], open = true): RelayTarget {
  return {
    pendingServerRequests: 0,
    server: {
      getClientCapabilities: () => caps,
      request: async (_req: unknown, _schema: unknown, options: { relatedRequestId?: unknown }) => {
        sent.push({ session, relatedRequestId: options.relatedRequestId });
        return { roots: [] };
      },
    } as never,
    transport: { canDeliver: () => open } as never,
  };
}

const roots = (): UpstreamRequest => ({
  method: 'roots/list',
  params: {},
  signal: new AbortController().signal,
});

describe('ServerRequestRelay', () => {
  it('sends a shared instance’s request to the most recent in-flight call whose client can answer', async () => {
    const sent: Sent[] = [];
    const targets = new Map([
      ['a', fakeTarget('a', { roots: {} }, sent)],
      ['b', fakeTarget('b', {}, sent)],
    ]);
    const relay = new ServerRequestRelay((id) => targets.get(id), 1000);
    await relay.relay(null, roots(), [
      { session: 'a', requestId: 1 },
      { session: 'b', requestId: 2 },
    ]);
    expect(sent).toEqual([{ session: 'a', relatedRequestId: 1 }]);
  });

  it('refuses with -32601 when no client request is related, or the client lacks the capability', async () => {
    const sent: Sent[] = [];
    const targets = new Map([['b', fakeTarget('b', {}, sent)]]);
    const relay = new ServerRequestRelay((id) => targets.get(id), 1000);
    await expect(relay.relay(null, roots(), [])).rejects.toMatchObject({ code: -32601 });
    await expect(relay.relay(null, roots(), [{ session: 'b', requestId: 1 }])).rejects.toMatchObject({
      code: -32601,
      message: expect.stringContaining('roots capability'),
    });
    expect(sent).toEqual([]);
  });

  it('a per-session instance without a call in flight uses its session’s stream, or -32603 if none', async () => {
    const sent: Sent[] = [];
    const targets = new Map([
      ['s', fakeTarget('s', { roots: {} }, sent)],
      ['closed', fakeTarget('closed', { roots: {} }, sent, false)],
    ]);
    const relay = new ServerRequestRelay((id) => targets.get(id), 1000);
    await relay.relay('s', roots(), []);
    expect(sent).toEqual([{ session: 's', relatedRequestId: undefined }]);
    await expect(relay.relay('closed', roots(), [])).rejects.toMatchObject({ code: -32603 });
  });

  it('bounds unanswered requests per client: -32005 with retryAfter beyond the cap', async () => {
    const sent: Sent[] = [];
    const target = fakeTarget('s', { roots: {} }, sent);
    target.pendingServerRequests = MAX_PENDING_SERVER_REQUESTS;
    const relay = new ServerRequestRelay(() => target, 1000);
    await expect(relay.relay('s', roots(), [])).rejects.toMatchObject({
      code: -32005,
      data: { retryAfter: 1 },
    });
  });

  it('sends a URL elicitation’s completion once, to its session; forgets the oldest past the cap; drops unknown ones', async () => {
    const notified: unknown[] = [];
    const target: RelayTarget = {
      pendingServerRequests: 0,
      server: {
        getClientCapabilities: () => ({ elicitation: { url: {} } }),
        request: async () => ({ action: 'accept' }),
        notification: async (n: { params: { elicitationId: string } }) => {
          notified.push(n.params.elicitationId);
        },
      } as never,
      transport: { canDeliver: () => true } as never,
    };
    const relay = new ServerRequestRelay(() => target, 1000);
    const elicit = (id: string): UpstreamRequest => ({
      method: 'elicitation/create',
      params: { mode: 'url', elicitationId: id, url: 'https://example.test/', message: 'm' },
      signal: new AbortController().signal,
    });
    for (let i = 0; i <= MAX_OPEN_URL_ELICITATIONS; i++) await relay.relay('s', elicit(`e${i}`), [], 'srv');
    relay.elicitationComplete('srv', { elicitationId: 'e0' }); // the oldest, forgotten past the cap
    relay.elicitationComplete('srv', { elicitationId: 'never-relayed' });
    relay.elicitationComplete('other', { elicitationId: 'e1' }); // another server's id
    relay.elicitationComplete('srv', { elicitationId: 'e1' });
    relay.elicitationComplete('srv', { elicitationId: 'e1' }); // once only
    await new Promise((r) => setImmediate(r));
    expect(notified).toEqual(['e1']);
  });
});
