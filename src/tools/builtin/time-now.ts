import type { ToolDescriptor, ToolResult } from '../types.js';

export const timeNowDescriptor: ToolDescriptor = {
  name: 'time.now',
  description:
    'The current date and time, as ISO 8601 UTC, Unix milliseconds, and local time in an optional IANA time zone.',
  inputSchema: {
    type: 'object',
    properties: { timezone: { type: 'string', maxLength: 64, description: 'IANA zone, e.g. Europe/Paris' } },
    additionalProperties: false,
  },
};

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Building an Intl formatter costs far more than using one: keep one per zone (bounded). */
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      dateStyle: 'short',
      timeStyle: 'long',
      hourCycle: 'h23',
    });
    if (formatters.size >= 512) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

export function timeNow(args: { timezone?: string }, now: () => Date = () => new Date()): ToolResult {
  const date = now();
  const timezone = args.timezone ?? 'UTC';
  let local: string;
  try {
    local = formatter(timezone).format(date);
  } catch {
    return { content: `unknown time zone ${timezone}`, isError: true };
  }
  const structured = { iso: date.toISOString(), unix_ms: date.getTime(), timezone, local };
  return { content: JSON.stringify(structured), isError: false, structured };
}
