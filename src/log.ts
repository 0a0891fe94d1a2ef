import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on stdout. Secret-bearing fields are redacted wherever they appear so that a careless
 * `log.info({ config })` cannot leak them.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'sutazai' },
      redact: {
        paths: [
          'password',
          '*.password',
          'adminPassword',
          '*.adminPassword',
          'authorization',
          'req.headers.authorization',
          'req.headers["x-api-key"]',
          'headers.authorization',
          'token',
          '*.token',
          'apiKey',
          '*.apiKey',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
