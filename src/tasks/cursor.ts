/**
 * Opaque list cursors over (created_at desc, id desc). The timestamp travels as PostgreSQL's own
 * text form so microseconds survive (a JS Date would drop them and skip or repeat rows).
 */
export interface ListCursor {
  createdAt: string;
  id: string;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PG_TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/;

export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id]), 'utf8').toString('base64url');
}

/** Undefined when the cursor is not one we issued (the route answers 400). */
export function decodeCursor(text: string): ListCursor | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [createdAt, id] = parsed as unknown[];
    if (typeof createdAt !== 'string' || typeof id !== 'string') return undefined;
    if (!PG_TIMESTAMP_RE.test(createdAt) || !UUID_RE.test(id)) return undefined;
    return { createdAt, id };
  } catch {
    return undefined;
  }
}
