import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';

/** The Fastify instance every route module receives: zod schemas validate and document routes. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** Who may call a route. Routes under /api/v1 default to 'user'; say 'public' or 'admin' explicitly. */
export type Access = 'public' | 'user' | 'admin';

/** Named rate-limit rules from config.rateLimit. */
export type RateLimitRule = 'login' | 'expensive';

export type Role = 'admin' | 'user';

/** The authenticated caller of a request. */
export interface Principal {
  /** `local`: the doctor on the same machine with the data dir's local credential (read-only scope). */
  kind: 'user' | 'api_key' | 'anonymous' | 'local';
  id: string;
  name: string;
  role: Role;
  /**
   * The user this caller acts for: a user's own id, an API key's owner (null for a key that has
   * none). Ownership of tasks, conversations and keys is recorded against it.
   */
  userId?: string | null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    rateLimit?: RateLimitRule;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}
