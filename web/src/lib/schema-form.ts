/**
 * JSON Schema → form fields, and form values → typed arguments. Covers what MCP tools declare in
 * practice: an object of string / number / integer / boolean / enum properties, with arrays and
 * nested objects edited as JSON text. Unknown shapes fall back to a JSON field rather than
 * hiding the property.
 */
export type FieldKind = 'text' | 'textarea' | 'number' | 'integer' | 'checkbox' | 'select' | 'json';

export interface Field {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description: string | undefined;
  options: string[];
  /** The form's initial text (checkbox: "true"/"false"). */
  initial: string;
}

type Schema = Record<string, unknown>;

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeOf(schema: Schema): string | undefined {
  const t = schema.type;
  if (typeof t === 'string') return t;
  // ["string", "null"]: the non-null member decides the widget.
  if (Array.isArray(t)) return t.find((x) => x !== 'null') as string | undefined;
  return undefined;
}

function kindOf(schema: Schema): FieldKind {
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string')) return 'select';
  switch (typeOf(schema)) {
    case 'string':
      return typeof schema.maxLength === 'number' && schema.maxLength <= 200 ? 'text' : 'textarea';
    case 'number':
      return 'number';
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'checkbox';
    default:
      return 'json';
  }
}

function initialOf(schema: Schema, kind: FieldKind): string {
  const d = schema.default;
  if (d === undefined) return kind === 'checkbox' ? 'false' : '';
  if (kind === 'json') return JSON.stringify(d, null, 2);
  return String(d);
}

/** The fields of an object schema, required ones first, in declaration order otherwise. */
export function fieldsOf(schema: unknown): Field[] {
  if (!isObject(schema) || !isObject(schema.properties)) return [];
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const fields = Object.entries(schema.properties).map(([name, raw]): Field => {
    const prop = isObject(raw) ? raw : {};
    const kind = kindOf(prop);
    return {
      name,
      label: typeof prop.title === 'string' ? prop.title : name,
      kind,
      required: required.has(name),
      description: typeof prop.description === 'string' ? prop.description : undefined,
      options: kind === 'select' ? (prop.enum as string[]) : [],
      initial: initialOf(prop, kind),
    };
  });
  return [...fields.filter((f) => f.required), ...fields.filter((f) => !f.required)];
}

export interface FieldError {
  field: string;
  message: string;
}

/**
 * Turns the form's text values into the tool's arguments. Empty optional fields are left out;
 * an empty required field, a non-number or malformed JSON is an error naming the field.
 */
export function argumentsOf(
  fields: readonly Field[],
  values: Readonly<Record<string, string>>,
): { args: Record<string, unknown>; errors: FieldError[] } {
  const args: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const f of fields) {
    const text = values[f.name] ?? f.initial;
    if (f.kind === 'checkbox') {
      args[f.name] = text === 'true';
      continue;
    }
    if (text.trim() === '') {
      if (f.required) errors.push({ field: f.name, message: `${f.label} is required` });
      continue;
    }
    const parsed = parseValue(f, text);
    if ('error' in parsed) errors.push({ field: f.name, message: parsed.error });
    else args[f.name] = parsed.value;
  }
  return { args, errors };
}

function parseValue(f: Field, text: string): { value: unknown } | { error: string } {
  if (f.kind === 'number' || f.kind === 'integer') {
    const n = Number(text);
    if (!Number.isFinite(n)) return { error: `${f.label} must be a number` };
    if (f.kind === 'integer' && !Number.isInteger(n)) return { error: `${f.label} must be a whole number` };
    return { value: n };
  }
  if (f.kind === 'json') {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      return { error: `${f.label} must be valid JSON` };
    }
  }
  return { value: text };
}
