import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { App } from '../../../src/http/types.js';
import { buildTestApp } from '../../helpers/http.js';

let app: App;

beforeAll(async () => {
  app = await buildTestApp([
    (a) => {
      a.post(
        '/api/v1/things',
        { schema: { body: z.strictObject({ name: z.string().min(1), count: z.number().int() }) } },
        async (req) => ({ ok: true, name: req.body.name }),
      );
      a.get('/api/v1/explode', async () => {
        throw new Error('secret internals at /srv/app.ts:42');
      });
    },
  ]);
});
afterAll(async () => app.close());

const post = (payload: string, contentType = 'application/json') =>
  app.inject({ method: 'POST', url: '/api/v1/things', payload, headers: { 'content-type': contentType } });

describe('the one error body shape', () => {
  it('accepts a valid body', async () => {
    const res = await post(JSON.stringify({ name: 'a', count: 1 }));
    expect(res.statusCode).toBe(200);
  });

  it('answers malformed JSON with 400 SUTAZAI_ERR_HTTP_MALFORMED_JSON', async () => {
    const res = await post('{"name": ');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('SUTAZAI_ERR_HTTP_MALFORMED_JSON');
  });

  it('names the field path of a wrong type', async () => {
    const res = await post(JSON.stringify({ name: 'a', count: 'three' }));
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('SUTAZAI_ERR_HTTP_VALIDATION');
    expect(body.error.details).toEqual([expect.objectContaining({ path: 'body.count' })]);
  });

  it('refuses unknown fields and names them', async () => {
    const res = await post(JSON.stringify({ name: 'a', count: 1, admin: true }));
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json().error.details)).toContain('admin');
  });

  it('answers an oversize body with 413', async () => {
    const res = await post(JSON.stringify({ name: 'x'.repeat(70 * 1024), count: 1 }));
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('SUTAZAI_ERR_HTTP_BODY_TOO_LARGE');
  });

  it('answers an unsupported media type with 415', async () => {
    const res = await post('name=a', 'application/x-www-form-urlencoded');
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('SUTAZAI_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an unknown route with 404 in the same shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('SUTAZAI_ERR_HTTP_NOT_FOUND');
  });

  it('turns an unexpected throw into a 500 with the request id and no internals', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/explode',
      headers: { 'x-request-id': 'req-123' },
    });
    expect(res.statusCode).toBe(500);
    expect(res.headers['x-request-id']).toBe('req-123');
    expect(res.json()).toEqual({
      error: { code: 'SUTAZAI_ERR_INTERNAL', message: 'Internal error (request id req-123)' },
    });
    expect(res.body).not.toContain('secret internals');
  });

  it('serves the OpenAPI document generated from the schemas', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().paths['/api/v1/things'].post.requestBody).toBeDefined();
  });
});
