import { z } from 'zod';
import type { TokenPair } from '../../auth/index.js';

export const RoleSchema = z.enum(['admin', 'user']);
export const TokenPairSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  refresh_token: z.string(),
  refresh_expires_in: z.number().int(),
  user: z.object({ id: z.string(), username: z.string(), role: RoleSchema }),
});

export const tokenBody = (t: TokenPair) => ({
  access_token: t.accessToken,
  token_type: 'Bearer' as const,
  expires_in: t.expiresIn,
  refresh_token: t.refreshToken,
  refresh_expires_in: t.refreshExpiresIn,
  user: t.user,
});
