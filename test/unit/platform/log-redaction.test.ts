import { describe, expect, it } from 'vitest';
import { scrubDbError } from '../../../src/db/scrub.js';
import { createLogger } from '../../../src/log.js';

/** Issue 9 item 4, the unit half: what the logger and the db layer hide. */
function captured(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger('info', { write: (l: string) => void lines.push(l) }) };
}

describe('log redaction', () => {
  it('redacts credentials in headers and secret fields, one level deep', () => {
    const { lines, log } = captured();
    log.info(
      {
        req: {
          headers: { authorization: 'Bearer s3cret-a', cookie: 'sid=s3cret-b', 'x-api-key': 's3cret-c' },
        },
        res: { headers: { 'set-cookie': 's3cret-d' } },
        body: { password: 's3cret-e', refresh_token: 's3cret-f', key_hash: 's3cret-g', api_key: 's3cret-h' },
        access_token: 's3cret-i',
      },
      'x',
    );
    expect(lines.join('')).not.toMatch(/s3cret/);
  });

  it('drops the SQL parameters and details an error carries', () => {
    const { lines, log } = captured();
    const err = Object.assign(new Error('duplicate key'), {
      params: ['s3cret-param'],
      parameters: ['s3cret-parameter'],
      detail: 'Key (key_hash)=(s3cret-detail) already exists.',
      query: 'INSERT … s3cret-query',
    });
    log.error({ err }, 'unscrubbed');
    log.error({ err: new Error('wrapper', { cause: err }) }, 'wrapped');
    expect(lines.join('')).not.toMatch(/s3cret/);
    expect(lines.join('')).toContain('duplicate key');
  });

  it('scrubDbError hides the fields from serialisation but keeps them readable', () => {
    const err = Object.assign(new Error('x'), { params: ['s3cret'], detail: 'd', code: '23505' });
    scrubDbError(err);
    expect(JSON.stringify({ ...err })).not.toContain('s3cret');
    expect(err.params).toEqual(['s3cret']);
    expect(err.detail).toBe('d');
    expect({ ...err }).toMatchObject({ code: '23505' });
  });
});
