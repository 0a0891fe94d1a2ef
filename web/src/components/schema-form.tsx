import { useState, type FormEvent } from 'react';
import { argumentsOf, fieldsOf, type FieldError } from '../lib/schema-form.js';

/** A form generated from a JSON Schema object; submits the typed arguments. */
export function SchemaForm({
  schema,
  idPrefix,
  submitLabel,
  busy,
  omit = [],
  onSubmit,
}: {
  schema: unknown;
  idPrefix: string;
  submitLabel: string;
  busy?: boolean;
  /** Properties the page fills in itself (not shown). */
  omit?: readonly string[];
  onSubmit: (args: Record<string, unknown>) => void;
}) {
  const fields = fieldsOf(schema).filter((f) => !omit.includes(f.name));
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<FieldError[]>([]);
  const set = (name: string, v: string) => setValues((s) => ({ ...s, [name]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { args, errors: errs } = argumentsOf(fields, values);
    setErrors(errs);
    if (errs.length === 0) onSubmit(args);
  };
  return (
    <form className="schema-form" onSubmit={submit} noValidate>
      {fields.length === 0 && <p className="muted small">No arguments.</p>}
      {fields.map((f) => {
        const id = `${idPrefix}-${f.name}`;
        const err = errors.find((x) => x.field === f.name);
        const describedBy = [f.description ? `${id}-desc` : '', err ? `${id}-err` : '']
          .filter(Boolean)
          .join(' ');
        const common = {
          id,
          name: f.name,
          'aria-invalid': err ? true : undefined,
          'aria-describedby': describedBy || undefined,
          'aria-required': f.required || undefined,
        };
        const value = values[f.name] ?? f.initial;
        return (
          <div key={f.name} className={`field field-${f.kind}`}>
            <label htmlFor={id}>
              {f.label}
              {f.required && <span aria-hidden="true"> *</span>}
            </label>
            {f.kind === 'checkbox' ? (
              <input
                {...common}
                type="checkbox"
                checked={value === 'true'}
                onChange={(e) => set(f.name, String(e.target.checked))}
              />
            ) : f.kind === 'select' ? (
              <select {...common} value={value} onChange={(e) => set(f.name, e.target.value)}>
                {!f.required && <option value="">—</option>}
                {f.options.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            ) : f.kind === 'textarea' || f.kind === 'json' ? (
              <textarea
                {...common}
                rows={f.kind === 'json' ? 4 : 3}
                value={value}
                className={f.kind === 'json' ? 'mono' : undefined}
                onChange={(e) => set(f.name, e.target.value)}
              />
            ) : (
              <input
                {...common}
                type={f.kind === 'text' ? 'text' : 'number'}
                step={f.kind === 'integer' ? 1 : 'any'}
                value={value}
                onChange={(e) => set(f.name, e.target.value)}
              />
            )}
            {f.description && (
              <p id={`${id}-desc`} className="muted small">
                {f.description}
              </p>
            )}
            {err && (
              <p id={`${id}-err`} className="error-text small">
                {err.message}
              </p>
            )}
          </div>
        );
      })}
      <button type="submit" className="primary" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}
