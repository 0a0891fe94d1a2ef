import type { Role } from '../http/types.js';

export type { Role };

/** Milliseconds since the epoch; injected so tests can move time (token and key expiry). */
export type Clock = () => number;

/** Where the HS256 signing key comes from; the database-backed one is shared by every process. */
export interface SecretProvider {
  signingKey(): Promise<Buffer>;
}

export interface User {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

/** What login and refresh hand back. Durations in seconds. */
export interface TokenPair {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  user: Pick<User, 'id' | 'username' | 'role'>;
}

export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  userId: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
