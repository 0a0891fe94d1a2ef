import {
  ProtocolError,
  Server,
  type ServerCapabilities,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { McpGateway } from '../gateway.js';
import { scopeServers } from './capabilities.js';
import { toJsonRpcError } from './json-rpc-error.js';
import type { NameTable } from './names.js';
import { decodeCursor, encodeCursor } from './names.js';
import { findResourceOwner } from './resource-owner.js';
import type { Origin } from '../upstream/instance.js';
import { forwardToolCall, routeName, type ToolScope } from './tool-route.js';

const PAGE_SIZE = 100;
type ListMethod = 'tools/list' | 'resources/list' | 'resources/templates/list' | 'prompts/list';

/**
 * The MCP server one /mcp client session talks to. `scope` null aggregates every enabled server
 * under `server__name`; a server name serves that server alone under its own names. Lists are in
 * a deterministic order (server name, then upstream order) and paginated with composite cursors.
 * It announces `capabilities` (the union of its upstreams': capabilities.ts) and answers only the
 * methods they cover; the others get -32601 as from a server without them.
 */
export function buildSessionServer(
  gateway: McpGateway,
  names: NameTable,
  scope: string | null,
  sessionKey: string,
  capabilities: ServerCapabilities,
  hooks: SessionHooks = NO_HOOKS,
): Server {
  const server = new Server(
    { name: scope ? `sutazai-mcp/${scope}` : 'sutazai-mcp', version: '0.1.0' },
    { capabilities },
  );
  // The SDK refuses a handler for a method whose capability is not announced.
  const on = ((method: string, ...rest: unknown[]) => {
    if (covers(capabilities, method))
      (server.setRequestHandler as (...a: unknown[]) => void)(method, ...rest);
  }) as Server['setRequestHandler'];
  const servers = () => scopeServers(gateway, scope);
  const expose = (s: string, item: string) => (scope ? item : names.expose(s, item));
  const resolve = (exposed: string, kind: 'tool' | 'prompt') =>
    routeName(gateway, names, scope, exposed, kind);
  const uriOwner = new Map<string, string>();

  async function page<T>(method: ListMethod, cursor: string | undefined, map: (s: string, item: T) => T) {
    const start = decodeCursor(cursor);
    if (cursor && !start) throw new ProtocolError(-32602, 'invalid cursor');
    const out: T[] = [];
    const all = servers();
    let idx = start ? all.indexOf(start.s) : 0;
    let offset = start?.i ?? 0;
    for (; idx >= 0 && idx < all.length; idx++, offset = 0) {
      const s = all[idx]!;
      const items = (await gateway.list(s, method, { sessionKey }).catch((err) => {
        if (scope) throw toJsonRpcError(err);
        return [];
      })) as T[];
      for (let i = offset; i < items.length; i++) {
        if (out.length === PAGE_SIZE) return { items: out, nextCursor: encodeCursor({ s, i }) };
        out.push(map(s, items[i]!));
      }
    }
    return { items: out };
  }

  /**
   * One upstream request of a method that may need client input on the way (tools/call,
   * prompts/get, resources/read): on a session its server-to-client requests go to the client;
   * stateless, `hooks.roundTrip` turns them into `input_required` (input-required.ts).
   */
  const upstream = (
    ctx: ServerContext,
    fingerprint: unknown[],
    run: (origin: Origin, signal: AbortSignal) => Promise<unknown>,
  ): Promise<unknown> =>
    hooks.roundTrip
      ? hooks.roundTrip(ctx, JSON.stringify(fingerprint), run)
      : run({ session: sessionKey, requestId: ctx.mcpReq.id }, ctx.mcpReq.signal);

  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toJsonRpcError(err);
    }
  };
  /**
   * Relays upstream progress to the client. The result waits for the relayed notifications, so
   * the last progress step is not overtaken by the result (after which it would be dropped).
   */
  const forwardProgress = (ctx: ServerContext) => {
    const token = ctx.mcpReq._meta?.progressToken;
    if (token === undefined) return undefined;
    const sent: Array<Promise<void>> = [];
    const onprogress = (p: { progress: number; total?: number; message?: string }) =>
      void sent.push(
        ctx.mcpReq
          .notify({ method: 'notifications/progress', params: { ...p, progressToken: token } })
          .catch(() => {}),
      );
    return { onprogress, flushed: () => Promise.all(sent) };
  };

  on('tools/list', async (req) => {
    const { items, nextCursor } = await page<{ name: string }>('tools/list', req.params?.cursor, (s, t) => ({
      ...t,
      name: expose(s, t.name),
    }));
    return { tools: items as never, ...(nextCursor ? { nextCursor } : {}) };
  });
  const tools: ToolScope = { gateway, names, scope, sessionKey };
  on('tools/call', (req, ctx) =>
    call(async () => {
      const progress = forwardProgress(ctx);
      const result = await upstream(
        ctx,
        ['tools/call', req.params.name, req.params.arguments ?? {}],
        (origin, signal) => forwardToolCall(tools, req.params, origin, signal, progress?.onprogress),
      );
      await progress?.flushed();
      return result as never;
    }),
  );
  on('prompts/list', async (req) => {
    const { items, nextCursor } = await page<{ name: string }>(
      'prompts/list',
      req.params?.cursor,
      (s, p) => ({
        ...p,
        name: expose(s, p.name),
      }),
    );
    return { prompts: items as never, ...(nextCursor ? { nextCursor } : {}) };
  });
  on('prompts/get', (req, ctx) =>
    call(async () => {
      const { server: s, item } = resolve(req.params.name, 'prompt');
      const params = { ...req.params, name: item };
      return (await upstream(ctx, ['prompts/get', req.params.name, req.params.arguments], (origin, signal) =>
        gateway.request(s, 'prompts/get', params, { signal, origin, sessionKey }),
      )) as never;
    }),
  );
  on('resources/list', async (req) => {
    const { items, nextCursor } = await page<{ uri: string; name: string }>(
      'resources/list',
      req.params?.cursor,
      (s, r) => {
        if (!uriOwner.has(r.uri)) uriOwner.set(r.uri, s);
        return { ...r, name: expose(s, r.name) };
      },
    );
    return { resources: items as never, ...(nextCursor ? { nextCursor } : {}) };
  });
  on('resources/templates/list', async (req) => {
    const { items, nextCursor } = await page<{ name: string }>(
      'resources/templates/list',
      req.params?.cursor,
      (s, t) => ({ ...t, name: expose(s, t.name) }),
    );
    return { resourceTemplates: items as never, ...(nextCursor ? { nextCursor } : {}) };
  });
  on('resources/read', (req, ctx) =>
    call(async () => {
      const uri = req.params.uri;
      const owner =
        scope ?? uriOwner.get(uri) ?? (await findResourceOwner(gateway, servers(), uri, sessionKey));
      // -32602 with the uri, as the SDK's servers answer (its ResourceNotFoundError).
      if (!owner) throw new ProtocolError(-32602, `Resource ${uri} not found on any server`, { uri });
      if (!scope) uriOwner.set(uri, owner);
      return (await upstream(ctx, ['resources/read', uri], (origin, signal) =>
        gateway.request(owner, 'resources/read', req.params, { signal, origin, sessionKey }),
      )) as never;
    }),
  );
  const ownerOf = async (uri: string) => {
    const owner = scope ?? (await findResourceOwner(gateway, servers(), uri, sessionKey));
    if (!owner) throw new ProtocolError(-32602, `Resource ${uri} not found on any server`, { uri });
    return owner;
  };
  on('resources/subscribe', (req) =>
    call(async () => {
      await hooks.subscribe(await ownerOf(req.params.uri), req.params.uri);
      return {};
    }),
  );
  on('resources/unsubscribe', (req) =>
    call(async () => {
      await hooks.unsubscribe(await ownerOf(req.params.uri), req.params.uri);
      return {};
    }),
  );
  // Replaces the SDK's built-in handler: the level is forwarded upstream and filters the relay.
  on('logging/setLevel', async (req) => {
    await hooks.setLevel(req.params.level);
    return {};
  });
  on('completion/complete', (req, ctx) =>
    call(async () => {
      const ref = req.params.ref;
      let owner: string | undefined;
      let params: Record<string, unknown> = req.params;
      if (ref.type === 'ref/prompt') {
        const { server: s, item } = resolve(ref.name, 'prompt');
        owner = s;
        params = { ...req.params, ref: { ...ref, name: item } };
      } else {
        owner = scope ?? (await findResourceOwner(gateway, servers(), ref.uri, sessionKey));
        if (!owner)
          throw new ProtocolError(-32602, `Resource ${ref.uri} not found on any server`, { uri: ref.uri });
      }
      return (await gateway.request(owner, 'completion/complete', params, {
        signal: ctx.mcpReq.signal,
        origin: { session: sessionKey, requestId: ctx.mcpReq.id },
        sessionKey,
      })) as never;
    }),
  );
  // The client's roots changed: the upstreams serving this session re-ask them.
  server.setNotificationHandler('notifications/roots/list_changed', () => hooks.rootsChanged(servers()));
  return server;
}

/** What a session server asks of the session manager. */
export interface SessionHooks {
  /** The client sent `logging/setLevel`. */
  setLevel(level: string): Promise<void>;
  /** The client subscribed to (or unsubscribed from) a resource of `server`. */
  subscribe(server: string, uri: string): Promise<void>;
  unsubscribe(server: string, uri: string): Promise<void>;
  /** The client sent `notifications/roots/list_changed`; `servers` are those in the session's scope. */
  rootsChanged(servers: string[]): Promise<void>;
  /**
   * Stateless requests only: runs an upstream request whose server-to-client requests become an
   * `input_required` result, resuming it on the client's retry (`fingerprint`: the request).
   */
  roundTrip?(
    ctx: ServerContext,
    fingerprint: string,
    run: (origin: Origin, signal: AbortSignal) => Promise<unknown>,
  ): Promise<unknown>;
}

export const NO_HOOKS: SessionHooks = {
  setLevel: async () => {},
  subscribe: async () => {},
  unsubscribe: async () => {},
  rootsChanged: async () => {},
};

/** Whether the announced `capabilities` cover a client request `method`. */
function covers(capabilities: ServerCapabilities, method: string): boolean {
  if (method === 'resources/subscribe' || method === 'resources/unsubscribe')
    return capabilities.resources?.subscribe === true;
  if (method === 'logging/setLevel') return capabilities.logging !== undefined;
  if (method === 'completion/complete') return capabilities.completions !== undefined;
  const kind = method.split('/')[0] as 'tools' | 'prompts' | 'resources';
  return capabilities[kind] !== undefined;
}
