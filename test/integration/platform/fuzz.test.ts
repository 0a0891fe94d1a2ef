import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import {
  bodyFrom,
  encodeAny,
  fromSchema,
  hostileString,
  serialize,
  type JsonSchema,
} from '../../helpers/fuzz.js';
import { ADMIN_PASSWORD, injectAdminHeaders } from '../../helpers/platform.js';

/*
 * Property-based fuzzing of every operation in the live OpenAPI document of a whole platform:
 * no, garbage and valid credentials; bodies that fit, bodies with one field replaced by a wrong
 * type, a hostile string, a huge, deep or key-heavy value, or an unknown field; bad ids, NUL and
 * lone surrogates in the path, query and headers; wrong content types and malformed JSON.
 * It asserts: never a 500, never an answer slower than 10 s, never a 2xx without valid
 * credentials except on the routes the document marks public (`security: []`).
 *
 * Nothing leaves the process: the worker is off (queued tasks never run), the model backend and
 * the Docker engine point at addresses where nothing listens, and no MCP server is declared.
 * Reproduce a failure with the seed it prints: SUTAZAI_FUZZ_SEED=<seed> npx vitest run <this file>.
 */
const SEED = Number(process.env.SUTAZAI_FUZZ_SEED ?? 20261130);
const RUNS = Number(process.env.SUTAZAI_FUZZ_RUNS ?? 3000);
const SLOW_MS = 10_000;

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}
interface Operation {
  method: string;
  path: string;
  public: boolean;
  parameters: Parameter[];
  body?: JsonSchema;
}
type Credentials = 'none' | 'garbage-bearer' | 'garbage-key' | 'valid';
interface FuzzRequest {
  op: Operation;
  credentials: Credentials;
  pathValues: string[];
  query: Array<[string, string]>;
  contentType: string | undefined;
  payload: string | undefined;
  extraHeaders: Record<string, string>;
}

let platform: Platform;
let operations: Operation[];
let validAuth: Record<string, string>;
/** The listening address, for streaming operations (inject() waits for a stream's end). */
let baseUrl: string;
/**
 * Operations that answer a stream which ends only when the client leaves: "answered" means the
 * status line and headers arrived; the body of a 200 is not waited for.
 */
const STREAMING = new Set(['GET /api/v1/events']);
const histogram = new Map<number, number>();
let sent = 0;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function operationsOf(doc: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(methods)) {
      const content = (op.requestBody as { content?: Record<string, { schema?: JsonSchema }> } | undefined)
        ?.content;
      ops.push({
        method: method.toUpperCase(),
        path,
        public: Array.isArray(op.security) && op.security.length === 0,
        parameters: (op.parameters as Parameter[] | undefined) ?? [],
        ...(content?.['application/json']?.schema ? { body: content['application/json'].schema } : {}),
      });
    }
  // Hidden from the document but served: public on this (loopback) bind.
  ops.push({ method: 'GET', path: '/metrics', public: true, parameters: [] });
  return ops;
}

const asText = (v: unknown) => (typeof v === 'string' ? v : serialize(v));

const paramValue = (p: Parameter): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fromSchema(p.schema).map(asText) },
    { weight: 2, arbitrary: hostileString.map((s) => s.slice(0, 2000)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('00000000-0000-4000-8000-000000000000', 'not-a-uuid', '1', '..'),
    },
  );

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=latin1',
];
const MALFORMED = [
  '{"a":',
  '\u0000',
  'not json',
  '[1,2',
  '{"a":1}{"b":2}',
  '',
  'null',
  '"\\ud800"',
  '{"a":"\\u0000"}',
];

function requestFor(op: Operation): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const query = fc
    .tuple(
      fc.subarray(queryParams),
      fc.option(fc.tuple(fc.string({ maxLength: 8 }), hostileString), { nil: undefined }),
    )
    .chain(([chosen, unknown]) =>
      fc
        .tuple(...chosen.map((p) => paramValue(p).map((v) => [p.name, v] as [string, string])))
        .map((pairs) => (unknown ? [...pairs, unknown] : pairs)),
    );
  const hasBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(op.method);
  const payload = hasBody
    ? fc.oneof(
        { weight: 8, arbitrary: bodyFrom(op.body).map(serialize) },
        { weight: 1, arbitrary: fc.constantFrom(...MALFORMED) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      )
    : fc.constant(undefined);
  return fc.record({
    op: fc.constant(op),
    credentials: fc.constantFrom<Credentials>(
      'none',
      'garbage-bearer',
      'garbage-key',
      'valid',
      'valid',
      'valid',
    ),
    pathValues: fc.tuple(...pathParams.map(paramValue)),
    query,
    contentType: fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/json') },
      { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
    payload,
    extraHeaders: fc.record(
      {
        accept: fc.constantFrom('application/json, text/event-stream', '*/*', 'text/html'),
        'mcp-session-id': fc.constantFrom('nope', '00000000-0000-4000-8000-000000000000'),
        'x-request-id': fc.constantFrom('ok-id', 'x'.repeat(300), '../..'),
        'mcp-protocol-version': fc.constantFrom('2025-06-18', '1999-01-01', 'garbage'),
      },
      { requiredKeys: [] },
    ),
  });
}

function credentialHeaders(kind: Credentials, garbage: string): Record<string, string> {
  if (kind === 'valid') return validAuth;
  if (kind === 'garbage-bearer') return { authorization: `Bearer ${garbage}` };
  if (kind === 'garbage-key') return { 'x-api-key': garbage };
  return {};
}

/**
 * A path value as one segment. `.` and `..` (also as `%2E`) are dot segments to URL parsing (WHATWG
 * URL, which inject uses like every client): `/mcp/..` is sent as `/`, another route. Such a value
 * goes out as `...`, still a dotted name the route must refuse, and one no parser rewrites.
 */
function pathSegment(value: string): string {
  const encoded = encodeAny(value);
  return /^\.{1,2}$/.test(encoded) ? '...' : encoded;
}

function urlOf(req: FuzzRequest): string {
  let i = 0;
  const path = req.op.path.replace(/\{[^}]+\}/g, () => pathSegment(req.pathValues[i++] ?? ''));
  const qs = req.query.map(([k, v]) => `${encodeAny(k)}=${encodeAny(v)}`).join('&');
  return qs ? `${path}?${qs}` : path;
}

function describeRequest(req: FuzzRequest, url: string): string {
  const body =
    req.payload === undefined
      ? ''
      : ` body=${req.payload.slice(0, 300)}${req.payload.length > 300 ? '…' : ''}`;
  return `${req.op.method} ${url.slice(0, 300)} credentials=${req.credentials} content-type=${req.contentType}${body}`;
}

/** Over a real socket: the status and headers within SLOW_MS, then the stream is dropped. */
async function sendStreaming(
  req: FuzzRequest,
  url: string,
  headers: Record<string, string>,
): Promise<{ statusCode: number; body: string } | 'slow'> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), SLOW_MS);
  try {
    const res = await fetch(`${baseUrl}${url}`, {
      method: req.op.method,
      headers,
      signal: controller.signal,
      ...(req.payload !== undefined && req.op.method !== 'GET' ? { body: req.payload } : {}),
    });
    return { statusCode: res.status, body: res.status === 200 ? '' : await res.text() };
  } catch (err) {
    if (controller.signal.aborted) return 'slow';
    throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

async function send(req: FuzzRequest): Promise<void> {
  const url = urlOf(req);
  const headers: Record<string, string> = {
    ...req.extraHeaders,
    ...credentialHeaders(req.credentials, 'sk_sutazai_garbage.' + 'g'.repeat(20)),
  };
  if (req.contentType && req.payload !== undefined) headers['content-type'] = req.contentType;
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<'slow'>((resolve) => (timer = setTimeout(() => resolve('slow'), SLOW_MS)));
  const res = STREAMING.has(`${req.op.method} ${req.op.path}`)
    ? await sendStreaming(req, url, headers)
    : await Promise.race([
        platform.app.inject({
          method: req.op.method as 'GET',
          url,
          headers,
          ...(req.payload !== undefined ? { payload: req.payload } : {}),
        }),
        slow,
      ]).finally(() => clearTimeout(timer));
  sent++;
  const where = describeRequest(req, url);
  if (res === 'slow') throw new Error(`no answer within ${SLOW_MS / 1000} s: ${where}`);
  histogram.set(res.statusCode, (histogram.get(res.statusCode) ?? 0) + 1);
  if (res.statusCode === 500 || res.body.includes('SUTAZAI_ERR_INTERNAL'))
    throw new Error(`500 for ${where}\n${res.body.slice(0, 500)}`);
  if (res.statusCode < 300 && req.credentials !== 'valid' && !req.op.public)
    throw new Error(`${res.statusCode} without valid credentials for ${where}`);
}

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sutazai-fuzz-'));
  const { config } = loadConfig({
    env: {
      SUTAZAI_DATA_DIR: dir,
      SUTAZAI_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SUTAZAI_MCP_CONFIG: path.join(dir, 'none.json'),
      SUTAZAI_AGENTS_DIR: path.join(dir, 'agents'),
      SUTAZAI_WORKER: 'false',
      OLLAMA_HOST: `127.0.0.1:${await closedPort()}`,
      DOCKER_HOST: 'unix:///nonexistent/sutazai-fuzz/docker.sock',
    },
    cwd: dir,
  });
  // Rate limits would answer most requests with 429 before they reach a handler.
  config.rateLimit.login.max = 1_000_000;
  config.rateLimit.expensive.max = 1_000_000;
  config.http.port = 0;
  platform = await createPlatform({ config, logger: pino({ level: 'silent' }), inMemoryDb: true });
  baseUrl = await platform.listen();
  validAuth = await injectAdminHeaders(platform);
  const doc = await platform.app.inject({ method: 'GET', url: '/docs/json' });
  operations = operationsOf(doc.json());
}, 120_000);

afterAll(async () => {
  const counts = [...histogram.entries()].sort(([a], [b]) => a - b);
  console.log(
    `fuzz: seed ${SEED}, ${sent} requests over ${operations?.length ?? 0} operations; status histogram: ${counts
      .map(([status, n]) => `${status}×${n}`)
      .join(' ')}`,
  );
  await platform?.close();
});

describe('fuzzing every operation of the OpenAPI document', () => {
  it(`answers ${RUNS} hostile requests without a 500, a hang or a 2xx without credentials`, async () => {
    expect(operations.length).toBeGreaterThan(40);
    const request = fc.constantFrom(...operations).chain(requestFor);
    await fc.assert(fc.asyncProperty(request, send), {
      seed: SEED,
      numRuns: RUNS,
      endOnFailure: true,
      reporter: (details) => {
        if (!details.failed) return;
        throw new Error(
          `fuzz failed (seed ${details.seed}, path ${details.counterexamplePath}, run ${details.numRuns}): ${String(
            (details.errorInstance as Error | undefined)?.message,
          )}`,
        );
      },
    });
    expect(sent).toBeGreaterThanOrEqual(RUNS);
  }, 900_000);
});
