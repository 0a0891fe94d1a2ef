import { ProtocolError, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { fromUpstream, hasSdkBrand, type McpGatewayError } from '../../../src/mcp/errors.js';

// errors.ts recognizes SDK errors by their brands, without importing the SDK (lazy loading).
describe('SDK errors recognized without importing the SDK', () => {
  it('maps an SDK request timeout to a timeout and another SdkError to unavailable', () => {
    const timeout = fromUpstream(new SdkError(SdkErrorCode.RequestTimeout, 'slow'), 's', 'tools/call', 5);
    expect((timeout as McpGatewayError).kind).toBe('timeout');
    const closed = fromUpstream(new SdkError(SdkErrorCode.ConnectionClosed, 'gone'), 's', 'tools/call', 5);
    expect((closed as McpGatewayError).kind).toBe('unavailable');
  });

  it('keeps the code and data of an upstream ProtocolError', () => {
    const err = fromUpstream(new ProtocolError(-32602, 'MCP error -32602: bad', { x: 1 }), 's', 'm', 5);
    expect(err).toMatchObject({
      kind: 'upstream',
      data: { upstreamCode: -32602, reason: 'bad', upstreamData: { x: 1 } },
    });
  });

  it('does not take a look-alike plain error for an SDK error', () => {
    const fake = Object.assign(new Error('x'), { name: 'SdkError', code: 'REQUEST_TIMEOUT' });
    expect(hasSdkBrand(fake, 'mcp.SdkError')).toBe(false);
    expect(fromUpstream(fake, 's', 'm', 5)).toBe(fake);
  });
});
