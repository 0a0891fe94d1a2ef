import { describe, expect, it } from 'vitest';
import { argumentsOf, fieldsOf } from '../../../web/src/lib/schema-form.js';

const schema = {
  type: 'object',
  properties: {
    note: { type: 'string', description: 'Free text' },
    count: { type: 'integer', default: 3 },
    ratio: { type: 'number' },
    loud: { type: 'boolean' },
    mode: { type: 'string', enum: ['fast', 'slow'] },
    tags: { type: 'array', items: { type: 'string' } },
    name: { type: ['string', 'null'], maxLength: 50, title: 'Name' },
    message: { type: 'string' },
  },
  required: ['message', 'mode'],
};

describe('fieldsOf', () => {
  it('maps each JSON Schema property to a widget, required fields first', () => {
    const fields = fieldsOf(schema);
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['mode', 'select', true],
      ['message', 'textarea', true],
      ['note', 'textarea', false],
      ['count', 'integer', false],
      ['ratio', 'number', false],
      ['loud', 'checkbox', false],
      ['tags', 'json', false],
      ['name', 'text', false],
    ]);
    expect(fields.find((f) => f.name === 'mode')!.options).toEqual(['fast', 'slow']);
    expect(fields.find((f) => f.name === 'count')!.initial).toBe('3');
    expect(fields.find((f) => f.name === 'note')!.description).toBe('Free text');
    expect(fields.find((f) => f.name === 'name')!.label).toBe('Name');
  });

  it('has no fields for a schema without properties or for garbage', () => {
    expect(fieldsOf({ type: 'object' })).toEqual([]);
    expect(fieldsOf(null)).toEqual([]);
    expect(fieldsOf('x')).toEqual([]);
  });
});

describe('argumentsOf', () => {
  const fields = fieldsOf(schema);

  it('types the values and leaves empty optional fields out', () => {
    const { args, errors } = argumentsOf(fields, {
      message: 'hi',
      mode: 'fast',
      ratio: '0.5',
      loud: 'true',
      tags: '["a","b"]',
      note: '',
    });
    expect(errors).toEqual([]);
    expect(args).toEqual({ message: 'hi', mode: 'fast', count: 3, ratio: 0.5, loud: true, tags: ['a', 'b'] });
  });

  it('names the field of every error: missing, not a number, not whole, bad JSON', () => {
    const { errors } = argumentsOf(fields, { mode: 'fast', ratio: 'abc', count: '1.5', tags: '[oops' });
    expect(errors).toEqual([
      { field: 'message', message: 'message is required' },
      { field: 'count', message: 'count must be a whole number' },
      { field: 'ratio', message: 'ratio must be a number' },
      { field: 'tags', message: 'tags must be valid JSON' },
    ]);
  });
});
