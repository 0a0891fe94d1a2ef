import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayToolProvider } from '../../../src/mcp/index.js';
import { ToolBackendUnavailableError } from '../../../src/tools/types.js';

/**
 * The remote tool provider's bounds (decision 0066): calls open at once, waiters, timeouts, and
 * which failures mean "the gateway is down" (the task waits) versus "the tool failed" (the model
 * sees it).
 */
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const options = (url: string) => ({
  url,
  token: 't'.repeat(32),
  maxInFlight: 2,
  slotWaitMs: 5000,
  timeoutMs: 300,
  callTimeoutMs: 1000,
});

describe('GatewayToolProvider', () => {
  it('keeps at most maxInFlight calls open and refuses past 8 times as many waiting', async () => {
    let open = 0;
    let maxOpen = 0;
    const held: ServerResponse[] = [];
    const url = await serve((req, res) => {
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      expect(req.headers['x-sutazai-gateway-token']).toBe('t'.repeat(32));
      held.push(res);
      res.on('close', () => (open -= 1));
    });
    const gateway = new GatewayToolProvider({ ...options(url), callTimeoutMs: 60_000 });
    const calls = Array.from({ length: 2 + 16 + 1 }, () =>
      gateway.callTool('everything__echo', { message: 'x' }).then(
        () => 'ok',
        (err: unknown) => err,
      ),
    );
    // The one past 2 open + 16 waiting is refused at once, as the gateway being unavailable.
    const refused = (await Promise.race(calls)) as ToolBackendUnavailableError;
    expect(refused).toBeInstanceOf(ToolBackendUnavailableError);
    expect(refused.message).toMatch(/^SUTAZAI_ERR_MCP_GATEWAY_UNAVAILABLE: .*waiting for a slot/);
    while (held.length < 2) await new Promise((r) => setTimeout(r, 10));
    // Answer as they come: every waiter gets its turn, never more than 2 at once.
    const answer = setInterval(() => {
      for (const res of held.splice(0))
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"content":"ok","isError":false}');
    }, 10);
    const outcomes = await Promise.all(calls);
    clearInterval(answer);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(18);
    expect(maxOpen).toBe(2);
  });

  it('a gateway that does not answer in time or refuses connections is unavailable, not a hang', async () => {
    const url = await serve(() => undefined);
    const gateway = new GatewayToolProvider(options(url));
    await expect(gateway.listTools()).rejects.toThrow(/GATEWAY_UNAVAILABLE.*no answer within 300 ms/);
    const closed = new GatewayToolProvider(options('http://127.0.0.1:9'));
    await expect(closed.callTool('a__b', {})).rejects.toBeInstanceOf(ToolBackendUnavailableError);
  });

  it('an error the gateway reports about a tool stays a tool error; a refused credential is the gateway’s', async () => {
    let status = 404;
    let code = 'SUTAZAI_ERR_MCP_TOOL_NOT_FOUND';
    const url = await serve((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code, message: 'no such tool' } }));
    });
    const gateway = new GatewayToolProvider(options(url));
    const toolError = await gateway.callTool('a__b', {}).catch((e: unknown) => e);
    expect(toolError).not.toBeInstanceOf(ToolBackendUnavailableError);
    expect((toolError as Error).message).toBe('SUTAZAI_ERR_MCP_TOOL_NOT_FOUND: no such tool');
    status = 401;
    code = 'SUTAZAI_ERR_MCP_GATEWAY_CREDENTIAL';
    await expect(gateway.callTool('a__b', {})).rejects.toBeInstanceOf(ToolBackendUnavailableError);
  });
});
