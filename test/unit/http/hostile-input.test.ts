import { describe, expect, it } from 'vitest';
import {
  assertSafeHeaders,
  assertSafeValue,
  isCleanString,
  JSON_LIMITS,
  parseJsonBody,
} from '../../../src/safe-input.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return { code: (err as { code: string }).code, details: (err as { details: unknown }).details };
  }
  return undefined;
};

describe('hostile input checks', () => {
  it('tells clean strings from NUL and unpaired surrogates', () => {
    expect(isCleanString('plain 😀 text')).toBe(true);
    expect(isCleanString('a\u0000')).toBe(false);
    expect(isCleanString('\ud800')).toBe(false);
    expect(isCleanString('\udc00x')).toBe(false);
    expect(isCleanString('\ud83d\ude00')).toBe(true);
  });

  it('names the path of the first bad string, in arrays and keys too', () => {
    expect(codeOf(() => parseJsonBody('{"a":[1,{"b":"\\u0000"}]}'))).toEqual({
      code: 'SUTAZAI_ERR_HTTP_INVALID_STRING',
      details: [{ path: 'body.a.1.b', message: expect.any(String) }],
    });
    expect(codeOf(() => assertSafeValue({ ['k\ud800']: 1 }, 'query'))?.code).toBe(
      'SUTAZAI_ERR_HTTP_INVALID_STRING',
    );
  });

  it(`accepts ${JSON_LIMITS.maxDepth} levels and refuses one more, without recursing on a million`, () => {
    const nest = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(() => parseJsonBody(nest(JSON_LIMITS.maxDepth))).not.toThrow();
    expect(codeOf(() => parseJsonBody(nest(JSON_LIMITS.maxDepth + 1)))?.code).toBe(
      'SUTAZAI_ERR_HTTP_JSON_TOO_DEEP',
    );
    expect(codeOf(() => parseJsonBody(nest(1_000_000)))?.code).toBe('SUTAZAI_ERR_HTTP_JSON_TOO_DEEP');
  });

  it(`counts object keys across the whole body (limit ${JSON_LIMITS.maxKeys})`, () => {
    const spread = Array.from(
      { length: 101 },
      () => `{${Array.from({ length: 100 }, (_, i) => `"k${i}":0`)}}`,
    );
    expect(codeOf(() => parseJsonBody(`[${spread.join(',')}]`))?.code).toBe(
      'SUTAZAI_ERR_HTTP_JSON_TOO_MANY_KEYS',
    );
    expect(() => parseJsonBody(`[${spread.slice(1).join(',')}]`)).not.toThrow();
  });

  it('refuses prototype keys and malformed or empty JSON', () => {
    expect(codeOf(() => parseJsonBody('{"__proto__":{}}'))?.code).toBe('SUTAZAI_ERR_HTTP_BAD_REQUEST');
    expect(codeOf(() => parseJsonBody('{"constructor":{"prototype":{}}}'))?.code).toBe(
      'SUTAZAI_ERR_HTTP_BAD_REQUEST',
    );
    expect(() => parseJsonBody('{"constructor":"fine"}')).not.toThrow();
    expect(codeOf(() => parseJsonBody('{"a":'))?.code).toBe('SUTAZAI_ERR_HTTP_MALFORMED_JSON');
    expect(codeOf(() => parseJsonBody('  '))?.code).toBe('SUTAZAI_ERR_HTTP_MALFORMED_JSON');
  });

  it('checks every header value', () => {
    expect(() => assertSafeHeaders({ host: 'localhost', accept: ['a', 'b'] })).not.toThrow();
    expect(codeOf(() => assertSafeHeaders({ authorization: 'Bearer \u0000' }))?.details).toEqual([
      expect.objectContaining({ path: 'headers.authorization' }),
    ]);
  });
});
