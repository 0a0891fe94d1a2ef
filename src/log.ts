import pino, { type Logger } from 'pino';

export type { Logger };

/** Field names that hold secrets, at the top of a log object and one level down. */
const SECRET_KEYS = [
  'password',
  'adminPassword',
  'new_password',
  'current_password',
  'authorization',
  'cookie',
  'token',
  'access_token',
  'refresh_token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'api_key',
  'key_hash',
  'keyHash',
  'password_hash',
  'passwordHash',
  'token_hash',
  'secret',
];

/** Error fields that repeat what was sent to the database or a server (values, SQL, bodies). */
const ERROR_KEYS = ['params', 'parameters', 'query', 'detail', 'queryOptions', 'body', 'requestBody'];

export const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'headers["set-cookie"]',
  ...ERROR_KEYS.flatMap((k) => [`err.${k}`, `err.cause.${k}`, `error.${k}`, `writeErr.${k}`]),
];

/**
 * JSON logs on stdout. Secret-bearing fields are redacted wherever they appear so that a careless
 * `log.info({ config })` cannot leak them, and errors lose the SQL parameters and details they
 * carry (the db layer hides them too; see src/db/scrub.ts). Request and response bodies are never
 * logged: Fastify logs method, URL and status only.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'sutazai' },
      redact: {
        paths: REDACT_PATHS,
        censor: '[redacted]',
      },
    },
    destination,
  );
}
