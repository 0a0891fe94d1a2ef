import { SutazaiError } from '../errors.js';

/** Keyset pagination over agent names (unique), so pages stay stable while agents are added. */
export function encodeCursor(afterName: string): string {
  return Buffer.from(JSON.stringify({ after: afterName }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && typeof (parsed as { after?: unknown }).after === 'string') {
      return (parsed as { after: string }).after;
    }
  } catch {
    // fall through to the catalogue error
  }
  throw new SutazaiError('SUTAZAI_ERR_AGENT_BAD_CURSOR');
}
