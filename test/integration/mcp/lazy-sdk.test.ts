import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const fixture = path.resolve(import.meta.dirname, '../../fixtures/mcp/sdk-loads');

describe('the MCP side of an idle platform', () => {
  // Each SDK costs about 7 MB of RSS (decision 0072, issue 15 item 9): the client is loaded by the
  // first upstream connection or server request, the server by the first /mcp session.
  it('starts the gateway and the /mcp session manager without loading the MCP SDK', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        path.join(fixture, 'register.mjs'),
        path.join(fixture, 'idle-gateway.ts'),
      ],
      { timeout: 60_000 },
    );
    expect(stdout).toContain('STARTED 0');
    expect(stderr.match(/SDK-LOAD .*/g) ?? []).toEqual([]);
  }, 90_000);
});
