import type { Principal } from '../http/types.js';

/**
 * Ownership rules in one place. A task, a conversation or an API key belongs to the user who
 * created it; an API key acts for its owner, so a user's keys and sessions share what they own.
 * A key without an owner (made while auth was off) owns what it creates itself.
 */

/** The id recorded as owner of what this principal creates; null for the anonymous (auth off) caller. */
export function ownerIdOf(principal: Principal | undefined): string | null {
  if (!principal || principal.kind === 'anonymous') return null;
  return principal.userId ?? principal.id;
}

/**
 * The owner a read or a change is restricted to: undefined for admins (they see everything),
 * otherwise the principal's owner id. Rows of other owners then look absent (404, not 403), so a
 * user cannot even learn that they exist.
 */
export function ownerScopeOf(principal: Principal | undefined): string | undefined {
  if (!principal || principal.role === 'admin') return undefined;
  return ownerIdOf(principal) ?? principal.id;
}
