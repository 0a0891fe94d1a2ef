import { describe, expect, it } from 'vitest';
import { Errors, SutazaiError, formatMessage } from '../../src/errors.js';

describe('error catalogue', () => {
  it('keys every entry by its own code, with the SUTAZAI_ERR_ prefix', () => {
    for (const [key, def] of Object.entries(Errors)) {
      expect(def.code).toBe(key);
      expect(key).toMatch(/^SUTAZAI_ERR_[A-Z0-9]+(_[A-Z0-9]+)*$/);
      expect(def.status).toBeGreaterThanOrEqual(400);
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(formatMessage('Task {id} is {status}', { id: 'a' })).toBe('Task a is {status}');
  });

  it('serialises to the one error body shape', () => {
    const err = new SutazaiError('SUTAZAI_ERR_TASK_NOT_FOUND', { id: 'x' }, { details: { id: 'x' } });
    expect(err.status).toBe(404);
    expect(err.toBody()).toEqual({
      error: { code: 'SUTAZAI_ERR_TASK_NOT_FOUND', message: 'Task x not found', details: { id: 'x' } },
    });
  });
});
