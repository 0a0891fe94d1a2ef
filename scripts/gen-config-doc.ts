/**
 * Writes docs/configuration.md from the zod schema and ENV_KEYS, so the reference cannot drift.
 *   npx tsx scripts/gen-config-doc.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigSchema, ENV_KEYS, SECRET_PATHS } from '../src/config/index.js';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  default?: unknown;
  description?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
}

const defaults = ConfigSchema.parse({}) as Record<string, unknown>;
function defaultAt(keyPath: string): unknown {
  return keyPath
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], defaults);
}

const envByPath = new Map(Object.entries(ENV_KEYS).map(([env, key]) => [key, env]));
const rows: string[] = [];

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (s.anyOf) return [...new Set(s.anyOf.map(typeOf))].join(' \\| ');
  const t = Array.isArray(s.type) ? s.type.join('|') : (s.type ?? 'any');
  const max = s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? s.maximum : undefined;
  const min = s.minimum !== undefined && s.minimum > Number.MIN_SAFE_INTEGER ? s.minimum : undefined;
  const range = min !== undefined || max !== undefined ? ` (${min ?? ''}…${max ?? ''})` : '';
  return `${t}${range}`;
}

function walk(schema: JsonSchema, prefix: string): void {
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const keyPath = prefix ? `${prefix}.${key}` : key;
    if (child.type === 'object' && child.properties && Object.keys(child.properties).length) {
      walk(child, keyPath);
      continue;
    }
    const secret = (SECRET_PATHS as readonly string[]).includes(keyPath) ? ' (secret: redacted)' : '';
    const value = defaultAt(keyPath);
    const def = value === undefined ? '—' : `\`${JSON.stringify(value)}\``;
    const env = envByPath.get(keyPath);
    rows.push(
      `| \`${keyPath}\` | ${typeOf(child)} | ${def} | ${env ? `\`${env}\`` : ''} | ${(child.description ?? '').replace(/\n/g, ' ')}${secret} |`,
    );
  }
}

walk(z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema, '');

const doc = `# Configuration reference

Generated from \`src/config/schema.ts\` by \`npx tsx scripts/gen-config-doc.ts\`; do not edit by hand.

Sources, lowest precedence first: the defaults below, the YAML file (\`./sutazai.yaml\`, or the file
named by \`SUTAZAI_CONFIG\` or \`--config\`), then the environment variables listed. Everything is
validated once at start; an invalid file or variable stops the start with the file or variable, the
key path and the reason. Unknown keys are errors (a typo is never silently ignored).
\`sutazai config print\` shows the effective configuration with secrets redacted.

| key | type | default | env | meaning |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
writeFileSync(path.resolve(import.meta.dirname, '../docs/configuration.md'), doc);
console.log(`docs/configuration.md: ${rows.length} keys`);
