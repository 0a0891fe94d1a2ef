import { inspect } from 'node:util';

/**
 * Human-readable log lines for a terminal, without pino-pretty or a worker thread: a destination
 * stream that pino writes its JSON lines to, which prints
 *   `12:34:56.789 INFO  platform:start port=10010 role="all"`
 * Off a terminal the logger keeps writing JSON (for collectors); NO_COLOR drops the colour.
 */
export interface LineSink {
  write(text: string): unknown;
}

const LEVELS: Record<number, { name: string; colour: number }> = {
  10: { name: 'TRACE', colour: 90 },
  20: { name: 'DEBUG', colour: 36 },
  30: { name: 'INFO ', colour: 32 },
  40: { name: 'WARN ', colour: 33 },
  50: { name: 'ERROR', colour: 31 },
  60: { name: 'FATAL', colour: 35 },
};
/** Fields every line has; the rest are printed as key=value. */
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'v']);

function paint(on: boolean, code: number, text: string): string {
  return on ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function clock(time: unknown): string {
  const d = typeof time === 'number' ? new Date(time) : new Date();
  return d.toISOString().slice(11, 23);
}

function value(v: unknown): string {
  if (typeof v === 'string') return /^[\w.:/@-]*$/.test(v) && v !== '' ? v : JSON.stringify(v);
  return inspect(v, { depth: 4, breakLength: Infinity, compact: true });
}

/** One pino JSON line → one (or, with a stack, several) readable lines. Not JSON → as it came. */
export function formatLogLine(line: string, colour: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = LEVELS[Number(entry.level)] ?? { name: String(entry.level).padEnd(5), colour: 0 };
  const fields: string[] = [];
  let stack = '';
  for (const [key, v] of Object.entries(entry)) {
    if (OMIT.has(key)) continue;
    if (key === 'err' && v && typeof v === 'object') {
      const err = v as { type?: string; message?: string; stack?: string };
      fields.push(`err=${value(`${err.type ?? 'Error'}: ${err.message ?? ''}`)}`);
      if (err.stack) stack = `\n${paint(colour, 2, err.stack.split('\n').slice(1).join('\n'))}`;
      continue;
    }
    fields.push(`${paint(colour, 2, `${key}=`)}${value(v)}`);
  }
  const head = `${paint(colour, 2, clock(entry.time))} ${paint(colour, level.colour, level.name)}`;
  const msg = typeof entry.msg === 'string' ? ` ${entry.msg}` : '';
  return `${head}${msg}${fields.length ? ` ${fields.join(' ')}` : ''}${stack}\n`;
}

/** A pino destination that writes readable lines to `out`. */
export function prettyDestination(out: LineSink, colour: boolean): { write(chunk: string): void } {
  return {
    write(chunk: string) {
      // pino writes one JSON line per call; split anyway so a batched chunk stays readable.
      for (const line of chunk.split('\n')) if (line) out.write(formatLogLine(line, colour));
    },
  };
}

/**
 * Where `sutazai up` logs: readable lines on a terminal, JSON lines otherwise (undefined lets pino
 * write JSON to stdout itself, asynchronously).
 */
export function logDestination(
  stdout: LineSink & { isTTY?: boolean },
  env: NodeJS.ProcessEnv,
): { write(chunk: string): void } | undefined {
  if (stdout.isTTY !== true) return undefined;
  return prettyDestination(stdout, !env.NO_COLOR);
}
