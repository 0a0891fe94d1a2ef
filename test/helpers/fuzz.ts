import fc from 'fast-check';

/**
 * Arbitraries for fuzzing the HTTP API from its OpenAPI document: values shaped by a JSON Schema
 * (with hostile strings mixed in at any depth), whole-body replacements, and URL encoding that
 * keeps NUL and lone surrogates (encodeURIComponent throws on the latter; URLSearchParams would
 * silently replace them).
 */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
}

export const HOSTILE_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff',
  '\udc00\ud800',
  '%00',
  '../../etc/passwd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  'http://127.0.0.1:1/metrics',
  'file:///etc/passwd',
  '',
  ' ',
  '\n\r\t',
  '😀',
  'null',
  '-1',
  '1e309',
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.string({ maxLength: 10 }),
        fc.constantFrom('\u0000', '\ud800', '\udfff'),
        fc.string({ maxLength: 10 }),
      )
      .map(([a, b, c]) => a + b + c),
  },
  { weight: 1, arbitrary: fc.nat({ max: 300_000 }).map((n) => 'x'.repeat(n)) },
);

/**
 * JSON text spliced in verbatim by `serialize`: a value nested 100,000 deep cannot be built and
 * stringified (JSON.stringify recurses), and fast-check must not print it in a report either.
 */
export class RawJson {
  constructor(
    readonly text: string,
    readonly label: string,
  ) {}
  [fc.toStringMethod](): string {
    return `RawJson(${this.label})`;
  }
}

/** An array nested `depth` deep: `[[[…]]]`, as text. */
export function nested(depth: number): RawJson {
  return new RawJson(`${'['.repeat(depth)}${']'.repeat(depth)}`, `${depth} deep`);
}

export const deepValue: fc.Arbitrary<unknown> = fc
  .constantFrom(63, 64, 65, 200, 10_000, 100_000)
  .map((d) => nested(d));

/** JSON.stringify, with RawJson values spliced in as they are. */
export function serialize(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof RawJson)) return v;
    raws.push(v.text);
    return `\u0001RAW${raws.length - 1}\u0001`;
  });
  return text.replace(/"\\u0001RAW(\d+)\\u0001"/g, (_m, i: string) => raws[Number(i)]!);
}

export const manyKeys: fc.Arbitrary<unknown> = fc
  .constantFrom(9_999, 10_001, 50_000)
  .map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])));

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 0, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: manyKeys },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 5 }) },
);

function typeOf(schema: JsonSchema): string | undefined {
  const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type;
  if (t) return t;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

/**
 * Values the document cannot say but the platform accepts (task types, roles, model and user
 * names): without them nearly every request stops at the first validation, far from the
 * handlers and the database where hostile strings used to do harm.
 */
export const VOCABULARY = [
  'http.check',
  'agent.run',
  'admin',
  'user',
  'tinyllama',
  'ollama',
  'pending',
  'done',
];

export const vocabularyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...VOCABULARY) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...VOCABULARY), fc.constantFrom('\u0000', '\ud800', '\udfff'))
      .map(([word, bad]) => word + bad),
  },
);

function stringFrom(schema: JsonSchema): fc.Arbitrary<string> {
  const normal =
    schema.format === 'uuid'
      ? fc.uuid()
      : schema.format === 'date-time'
        ? fc.date({ noInvalidDate: true }).map((d) => d.toISOString())
        : schema.format === 'uri'
          ? fc.webUrl()
          : fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 30, 30) });
  return fc.oneof(
    { weight: 4, arbitrary: normal },
    { weight: 2, arbitrary: vocabularyString },
    { weight: 2, arbitrary: hostileString },
  );
}

function objectFrom(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const props = schema.properties ?? {};
  const shape = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, fromSchema(s, depth + 1)]));
  const record = fc.record(shape, { requiredKeys: (schema.required ?? []).filter((k) => k in props) });
  if (Object.keys(props).length > 0 || schema.additionalProperties === false) return record;
  return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
}

/** A value that mostly fits `schema`, with hostile strings at any depth. */
export function fromSchema(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.jsonValue({ maxDepth: 2 });
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => fromSchema(s, depth + 1)));
  if (schema.allOf?.length) return fromSchema(schema.allOf[0], depth + 1);
  switch (typeOf(schema)) {
    case 'string':
      return stringFrom(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000 });
    case 'number':
      return fc.double({
        noNaN: true,
        noDefaultInfinity: true,
        min: schema.minimum ?? -1e6,
        max: schema.maximum ?? 1e6,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(fromSchema(schema.items, depth + 1), { maxLength: 3 });
    case 'object':
      return objectFrom(schema, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A body for `schema`: fitting, fitting but with one field replaced or added, or anything at all. */
export function bodyFrom(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  const fitting = fromSchema(schema);
  const mutated = fc
    .tuple(fitting, fc.nat(), fc.string({ maxLength: 12 }), hostileValue)
    .map(([body, index, unknownKey, value]) => {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return value;
      const keys = Object.keys(body);
      const key = index % (keys.length + 1) === keys.length ? unknownKey : keys[index % (keys.length + 1)]!;
      return { ...(body as object), [key]: value };
    });
  return fc.oneof(
    { weight: 4, arbitrary: fitting },
    { weight: 4, arbitrary: mutated },
    { weight: 1, arbitrary: hostileValue },
    { weight: 1, arbitrary: fc.jsonValue() },
  );
}

/** Percent-encodes every UTF-16 code unit that is not unreserved, lone surrogates included. */
export function encodeAny(value: string): string {
  let out = '';
  for (const ch of value) {
    if (/^[A-Za-z0-9._~-]$/.test(ch)) out += ch;
    else if (ch.length === 1 && ch.charCodeAt(0) >= 0xd800 && ch.charCodeAt(0) <= 0xdfff) {
      // UTF-8 has no encoding for a lone surrogate: send the bytes a naive (CESU-8) encoder would.
      const u = ch.charCodeAt(0);
      out += [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}
