import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { SutazaiError } from '../errors.js';

interface FieldIssue {
  path: string;
  message: string;
}

function validationIssues(err: FastifyError): FieldIssue[] {
  if (!hasZodFastifySchemaValidationErrors(err)) return [{ path: '', message: err.message }];
  const where = err.validationContext ?? 'body';
  return err.validation.map((v) => {
    const segments = v.instancePath.split('/').filter(Boolean);
    const keys = (v.params as { keys?: string[] }).keys;
    const suffix = keys?.length ? ` (${keys.join(', ')})` : '';
    return { path: [where, ...segments].join('.'), message: `${v.message}${suffix}` };
  });
}

/**
 * Maps anything thrown in a request to the one error body shape. Client faults that Fastify
 * raises (bad JSON, media type, size) keep their 4xx; anything unknown is a 500 with the request
 * id and no internals.
 */
export function toSutazaiError(err: unknown, request: FastifyRequest, bodyLimit: number): SutazaiError {
  if (err instanceof SutazaiError) return err;
  const fe = err as FastifyError;
  if (fe.validation) {
    return new SutazaiError('SUTAZAI_ERR_HTTP_VALIDATION', {}, { details: validationIssues(fe) });
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new SutazaiError('SUTAZAI_ERR_HTTP_MALFORMED_JSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new SutazaiError('SUTAZAI_ERR_HTTP_BODY_TOO_LARGE', { limit: bodyLimit });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new SutazaiError('SUTAZAI_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE');
  }
  if (err instanceof SyntaxError && fe.statusCode === 400)
    return new SutazaiError('SUTAZAI_ERR_HTTP_MALFORMED_JSON');
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new SutazaiError('SUTAZAI_ERR_HTTP_BAD_REQUEST', { reason: fe.message });
  }
  return new SutazaiError('SUTAZAI_ERR_INTERNAL', { requestId: request.id }, { cause: err });
}

export function sendError(reply: FastifyReply, error: SutazaiError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.status(error.status).send(error.toBody());
}
