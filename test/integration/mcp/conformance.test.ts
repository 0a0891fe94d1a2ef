import { afterAll, beforeAll, expect, it } from 'vitest';
import type { App } from '../../../src/http/types.js';
import {
  regressions,
  runSuite,
  score,
  startReferenceServer,
  type ReferenceServer,
  type Results,
} from '../../fixtures/mcp/conformance/suite.js';
import { startTestGateway, type TestGateway } from '../../fixtures/mcp/helpers.js';
import { describeWithService } from '../../helpers/services.js';
import { mcpApp } from './app.js';

/**
 * The official MCP conformance suite (spec 2025-11-25, @modelcontextprotocol/conformance 0.1.16)
 * against its own reference server directly, through /mcp/{server} and through the aggregate /mcp:
 * every check that passes directly passes through the gateway (issue 15, items 2 and 5). On /mcp
 * the scenarios that call a tool or prompt by its unprefixed name are left out (docs/mcp.md).
 */
const AGGREGATE_NEEDS_UNPREFIXED_NAMES = [
  'tools-call-simple-text',
  'tools-call-image',
  'tools-call-audio',
  'tools-call-embedded-resource',
  'tools-call-mixed-content',
  'tools-call-with-logging',
  'tools-call-error',
  'tools-call-with-progress',
  'tools-call-sampling',
  'tools-call-elicitation',
  'elicitation-sep1034-defaults',
  'elicitation-sep1330-enums',
  'prompts-get-simple',
  'prompts-get-with-args',
  'prompts-get-embedded-resource',
  'prompts-get-with-image',
  'completion-complete',
];

describeWithService('SUTAZAI_CONFORMANCE_SERVER', 'MCP conformance suite through the gateway', (dir) => {
  let ref: ReferenceServer;
  let gw: TestGateway;
  let app: App;
  let base: string;
  let direct: Results;

  beforeAll(async () => {
    ref = await startReferenceServer(dir);
    gw = await startTestGateway({ conf: { url: ref.url } }, { callTimeoutMs: 30_000 });
    app = await mcpApp(gw.mcp);
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    direct = await runSuite(ref.url);
  }, 300_000);
  afterAll(async () => {
    await app?.close();
    await gw?.close();
    await ref?.close();
  });

  it('the reference server passes checks on its own (the baseline)', () => {
    const s = score(direct);
    console.info(`conformance: reference server directly ${s.passed} passed / ${s.failed} failed`);
    expect(s.passed).toBeGreaterThan(20);
  });

  it('/mcp/{server} passes every check the server passes directly', async () => {
    const through = await runSuite(`${base}/mcp/conf`);
    const s = score(through);
    console.info(`conformance: /mcp/conf ${s.passed} passed / ${s.failed} failed`);
    expect(regressions(direct, through)).toEqual([]);
  }, 300_000);

  it('/mcp passes every check the server passes directly, but those needing unprefixed names', async () => {
    const through = await runSuite(`${base}/mcp`);
    const s = score(through);
    console.info(`conformance: /mcp ${s.passed} passed / ${s.failed} failed`);
    expect(regressions(direct, through, AGGREGATE_NEEDS_UNPREFIXED_NAMES)).toEqual([]);
  }, 300_000);
});
