import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** The vendored official SARIF 2.1.0 schema (draft-07); origin in test/fixtures/sarif/README.md. */
const SCHEMA_URL = new URL('../fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url);
/** Pinned so a hand edit of the vendored copy fails the tests instead of loosening them. */
export const SARIF_SCHEMA_SHA256 = '6352a05f9d03f181b8d9c71a46bdacc4fcff9d8ade5364858b425ba0c0994ed7';

export function sarifSchemaText(): string {
  return readFileSync(SCHEMA_URL, 'utf8');
}

export function sarifSchemaSha256(): string {
  return createHash('sha256').update(readFileSync(SCHEMA_URL)).digest('hex');
}

let validator: ValidateFunction | undefined;

/**
 * Validates against the official schema with ajv's default (draft-07) dialect and formats checked
 * (uri, uri-reference, date-time). ajv's strict mode is off: it rejects the official schema itself
 * (an `anyOf` branch that only lists `required`, which is valid draft-07 but not ajv-strict), and
 * `unicodeRegExp` is off because the schema's `language` pattern (`...-[a-zA-Z]{2}]?$`) has a
 * stray `]` that only a non-unicode RegExp accepts — as JSON Schema's ECMA-262 regexes do.
 * Returns the ajv error text, or undefined when valid.
 */
export function sarifErrors(doc: unknown): string | undefined {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats.default(ajv);
    validator = ajv.compile(JSON.parse(sarifSchemaText()) as object);
  }
  const ok = validator(JSON.parse(JSON.stringify(doc)));
  return ok ? undefined : new Ajv().errorsText(validator.errors);
}
