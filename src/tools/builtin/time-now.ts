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

export function timeNow(args: { timezone?: string }, now: () => Date = () => new Date()): ToolResult {
  const date = now();
  const timezone = args.timezone ?? 'UTC';
  let local: string;
  try {
    local = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      dateStyle: 'short',
      timeStyle: 'long',
      hourCycle: 'h23',
    }).format(date);
  } catch {
    return { content: `unknown time zone ${timezone}`, isError: true };
  }
  const structured = { iso: date.toISOString(), unix_ms: date.getTime(), timezone, local };
  return { content: JSON.stringify(structured), isError: false, structured };
}
