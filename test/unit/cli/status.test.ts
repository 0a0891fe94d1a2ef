import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { colourEnabled, palette } from '../../../src/cli/colour.js';
import { describeUnreachable, formatReport } from '../../../src/cli/status.js';

/** A port that was free a moment ago: nothing listens on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('sutazai status', () => {
  it('names the URL and says that nothing listens when the connection is refused', async () => {
    const base = `http://127.0.0.1:${await closedPort()}`;
    const err = await fetch(`${base}/api/v1/health/detailed`).catch((e: unknown) => e);
    expect(describeUnreachable(err, base)).toBe(
      `nothing is listening on ${base} — is \`sutazai up\` running?`,
    );
  });

  it('names other causes instead of "fetch failed"', () => {
    const failed = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: { code } });
    expect(describeUnreachable(failed('ENOTFOUND'), 'http://nope:1')).toContain('does not resolve');
    expect(describeUnreachable(failed('EWHATEVER'), 'http://h:1')).toBe(
      'http://h:1 could not be reached (EWHATEVER)',
    );
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    expect(describeUnreachable(timeout, 'http://h:1')).toContain('did not answer within 5 s');
  });

  it('colours only a terminal, and never with NO_COLOR', () => {
    expect(colourEnabled({ isTTY: true }, {})).toBe(true);
    expect(colourEnabled({ isTTY: false }, {})).toBe(false);
    expect(colourEnabled({}, {})).toBe(false);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
  });

  it('paints states in colour and leaves plain output free of escape codes', () => {
    const report = {
      status: 'degraded',
      ready: true,
      version: '0.1.0',
      uptime_seconds: 3,
      checks: [
        { name: 'database', required: true, status: 'up', latency_ms: 1, error: null },
        { name: 'llm', required: false, status: 'down', latency_ms: null, error: 'ECONNREFUSED' },
      ],
    };
    const coloured = formatReport(report, 'http://x', palette(true)).join('\n');
    expect(coloured).toContain('\u001b[32mup     \u001b[39m');
    expect(coloured).toContain('\u001b[31mdown   \u001b[39m');
    const plain = formatReport(report, 'http://x', palette(false)).join('\n');
    expect(plain).not.toContain('\u001b');
    expect(plain).toContain('  down    llm (optional) — ECONNREFUSED');
  });
});
