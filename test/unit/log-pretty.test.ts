import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { formatLogLine, logDestination } from '../../src/log-pretty.js';

function terminal(isTTY: boolean) {
  const lines: string[] = [];
  return { isTTY, lines, write: (text: string) => lines.push(text) };
}

describe('log output', () => {
  it('prints readable, coloured lines on a terminal', () => {
    const out = terminal(true);
    const logger = createLogger('info', logDestination(out, {}));
    logger.info({ port: 10010, role: 'all', note: 'two words' }, 'platform:start');
    expect(out.lines).toHaveLength(1);
    const line = out.lines[0]!;
    expect(line).toContain('\u001b[32mINFO \u001b[0m');
    const plain = line.replaceAll('\u001b[2m', '').replaceAll('\u001b[32m', '').replaceAll('\u001b[0m', '');
    expect(plain).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}platform:start port=10010 role=all note="two words"\n$/,
    );
  });

  it('honours NO_COLOR', () => {
    const out = terminal(true);
    createLogger('info', logDestination(out, { NO_COLOR: '1' })).warn('careful');
    expect(out.lines[0]).not.toContain('\u001b');
    expect(out.lines[0]).toMatch(/ WARN {2}careful\n$/);
  });

  it('keeps JSON lines when stdout is not a terminal', () => {
    expect(logDestination(terminal(false), {})).toBeUndefined();
  });

  it('still redacts secrets and shows an error with its stack', () => {
    const out = terminal(true);
    const logger = createLogger('info', logDestination(out, { NO_COLOR: '1' }));
    logger.error({ err: new Error('boom'), password: 'hunter2' }, 'request failed');
    expect(out.lines[0]).toContain('err="Error: boom"');
    expect(out.lines[0]).toContain('password="[redacted]"');
    expect(out.lines[0]).not.toContain('hunter2');
    expect(out.lines[0]).toMatch(/\n\s+at /);
  });

  it('passes through a line that is not JSON', () => {
    expect(formatLogLine('plain text', false)).toBe('plain text\n');
  });
});
