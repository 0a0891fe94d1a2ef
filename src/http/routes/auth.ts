import { z } from 'zod';
import type { ApiKeyInfo, AuthService, User } from '../../auth/index.js';
import type { RouteModule } from '../app.js';
import type { App, Principal } from '../types.js';
import { RoleSchema, tokenBody, TokenPairSchema } from './auth-schemas.js';
import { cookieSession, CookieSessionSchema, registerSessionRoutes } from './auth-session.js';
import { refreshCookie } from '../browser-session.js';

export interface AuthRouteDeps {
  auth: AuthService;
}

const UserSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: RoleSchema,
  disabled: z.boolean(),
  created_at: z.string(),
});
const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  role: RoleSchema,
  user_id: z.string().nullable(),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

const NewPassword = z.string().min(12, 'must be at least 12 characters').max(1024);
const UserParams = z.strictObject({ id: z.string().min(1).max(64) });

const userBody = (u: User) => ({
  id: u.id,
  username: u.username,
  role: u.role,
  disabled: u.disabled,
  created_at: u.createdAt,
});
const keyBody = (k: ApiKeyInfo) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  role: k.role,
  user_id: k.userId,
  created_at: k.createdAt,
  expires_at: k.expiresAt,
  last_used_at: k.lastUsedAt,
  revoked_at: k.revokedAt,
});

/** The route hook has already refused requests without a principal on non-public routes. */
const principalOf = (request: { principal?: Principal }): Principal => request.principal!;

/** Login, refresh, logout (auth-session.ts), me, password, users and API keys under /api/v1. */
export function authRoutes(deps: AuthRouteDeps): RouteModule {
  const { auth } = deps;
  return (app) => {
    registerSessionRoutes(app, auth);

    app.get(
      '/api/v1/auth/me',
      {
        schema: {
          tags: ['auth'],
          summary: 'Who the presented credential belongs to',
          response: {
            200: z.object({
              kind: z.enum(['user', 'api_key', 'anonymous', 'local']),
              id: z.string(),
              name: z.string(),
              role: RoleSchema,
            }),
          },
        },
        config: { access: 'user' },
      },
      async (request) => {
        const { kind, id, name, role } = principalOf(request);
        return { kind, id, name, role };
      },
    );

    app.post(
      '/api/v1/auth/password',
      {
        schema: {
          tags: ['auth'],
          summary:
            "Change the caller's own password; ends the user's other sessions and returns a new token pair",
          body: z.strictObject({
            current_password: z.string().min(1).max(1024),
            new_password: NewPassword,
          }),
          response: { 200: z.union([TokenPairSchema, CookieSessionSchema]) },
        },
        config: { access: 'user', rateLimit: 'login' },
      },
      async (request, reply) => {
        const pair = await auth.changePassword(
          principalOf(request),
          request.body.current_password,
          request.body.new_password,
        );
        // A browser session (its refresh cookie came along) continues on a new cookie.
        return refreshCookie(request) ? cookieSession(request, reply, pair) : tokenBody(pair);
      },
    );

    registerUserRoutes(app, auth);
    registerKeyRoutes(app, auth);
  };
}

function registerUserRoutes(app: App, auth: AuthService): void {
  app.post(
    '/api/v1/users',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a user',
        body: z.strictObject({
          username: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'letters, digits and . _ @ - (1-64)'),
          password: NewPassword,
          role: RoleSchema.default('user'),
        }),
        response: { 201: UserSchema },
      },
      config: { access: 'admin' },
    },
    async (request, reply) => reply.status(201).send(userBody(await auth.createUser(request.body))),
  );

  app.get(
    '/api/v1/users',
    {
      schema: {
        tags: ['auth'],
        summary: 'List users',
        response: { 200: z.object({ users: z.array(UserSchema) }) },
      },
      config: { access: 'admin' },
    },
    async () => ({ users: (await auth.listUsers()).map(userBody) }),
  );

  app.patch(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['auth'],
        summary: "Disable or re-enable a user; a disabled user's tokens and keys stop within a second",
        params: UserParams,
        body: z.strictObject({ disabled: z.boolean() }),
        response: { 200: UserSchema },
      },
      config: { access: 'admin' },
    },
    async (request) =>
      userBody(await auth.setDisabled(principalOf(request), request.params.id, request.body.disabled)),
  );

  app.delete(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Delete a user with their API keys and sessions (not yourself, not the last admin)',
        params: UserParams,
      },
      config: { access: 'admin' },
    },
    async (request, reply) => {
      await auth.deleteUser(principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}

function registerKeyRoutes(app: App, auth: AuthService): void {
  app.post(
    '/api/v1/auth/api-keys',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an API key; the key itself is in this response only',
        body: z.strictObject({
          name: z.string().min(1).max(100),
          role: RoleSchema.optional(),
          expires_in_days: z.number().int().positive().max(3650).optional(),
        }),
        response: { 201: ApiKeySchema.extend({ key: z.string() }) },
      },
      config: { access: 'user' },
    },
    async (request, reply) => {
      const { name, role, expires_in_days } = request.body;
      const created = await auth.createApiKey(principalOf(request), {
        name,
        ...(role ? { role } : {}),
        ...(expires_in_days ? { expiresInDays: expires_in_days } : {}),
      });
      return reply.status(201).send({ ...keyBody(created.info), key: created.key });
    },
  );

  app.get(
    '/api/v1/auth/api-keys',
    {
      schema: {
        tags: ['auth'],
        summary: 'List API keys (admins: all; users: their own); never the secret',
        response: { 200: z.object({ keys: z.array(ApiKeySchema) }) },
      },
      config: { access: 'user' },
    },
    async (request) => ({ keys: (await auth.listApiKeys(principalOf(request))).map(keyBody) }),
  );

  app.delete(
    '/api/v1/auth/api-keys/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke an API key',
        params: z.strictObject({ id: z.string().min(1).max(64) }),
      },
      config: { access: 'user' },
    },
    async (request, reply) => {
      await auth.revokeApiKey(principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
