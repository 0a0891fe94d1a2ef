/**
 * Compose-specification variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}`, nested defaults
 * (`${A:-${B}}`) and `$$` for a literal `$`.
 */
export class InterpolationError extends Error {
  constructor(
    message: string,
    readonly variable: string,
  ) {
    super(message);
    this.name = 'InterpolationError';
  }
}

type Env = Record<string, string | undefined>;

/** Index of the `}` closing the `${` that starts at `start`, honouring nesting. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function expandBraced(expr: string, env: Env): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(expr);
  if (!m) throw new InterpolationError(`invalid interpolation format for \${${expr}}`, expr);
  const [, name = '', op, rest = ''] = m;
  const value = env[name];
  const unset = value === undefined;
  const empty = unset || value === '';
  switch (op) {
    case undefined:
      return value ?? '';
    case ':-':
      return empty ? interpolate(rest, env) : value!;
    case '-':
      return unset ? interpolate(rest, env) : value;
    case ':?':
    case '?':
      if (op === ':?' ? empty : unset)
        throw new InterpolationError(
          `required variable ${name} is missing a value: ${interpolate(rest, env)}`,
          name,
        );
      return value!;
    case ':+':
      return empty ? '' : interpolate(rest, env);
    default: // '+'
      return unset ? '' : interpolate(rest, env);
  }
}

/** Expands one string. Unset variables without a default become the empty string, as compose does. */
export function interpolate(text: string, env: Env): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(text, i);
      if (end < 0) throw new InterpolationError(`unterminated \${ in "${text}"`, text);
      out += expandBraced(text.slice(i + 2, end), env);
      i = end + 1;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
      if (!m) {
        out += '$';
        i++;
        continue;
      }
      out += env[m[0]] ?? '';
      i += 1 + m[0].length;
    }
  }
  return out;
}

/** Parses a `.env` file: KEY=VALUE lines, `#` comments, optional `export `, single/double quotes. */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2] ?? '';
    if (/^"(.*)"$/.test(value)) value = value.slice(1, -1).replace(/\\n/g, '\n').replace(/\\"/g, '"');
    else if (/^'(.*)'$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    out[m[1]!] = value;
  }
  return out;
}
