/**
 * Writes docs/errors.md from the error catalogue (src/errors.ts), so the list cannot drift.
 *   npx tsx scripts/gen-errors-doc.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Errors } from '../src/errors.js';

export function renderErrorsDoc(): string {
  const rows = Object.values(Errors)
    .map((e) => `| \`${e.code}\` | ${e.status} | ${e.message.replace(/\|/g, '\\|')} |`)
    .join('\n');
  return `# Error codes

Generated from \`src/errors.ts\` by \`npx tsx scripts/gen-errors-doc.ts\`; do not edit by hand.

Every 4xx/5xx answer of the API has the body \`{"error": {"code", "message", "details"?}}\`.
\`code\` is stable: it is never reused or renamed, so clients and scripts may match on it.
\`details\` carries field paths for validation errors (\`[{"path": "body.count", "message": …}]\`).
A 500 (\`SUTAZAI_ERR_INTERNAL\`) names the request id (also in the \`x-request-id\` header) to find
the full error in the server log; internals never reach the client. Answers 429 and 503 carry
\`Retry-After\`. The CLI prints the same codes (\`error SUTAZAI_ERR_…: message\`).

| code | HTTP status | message |
| --- | --- | --- |
${rows}
`;
}

export const ERRORS_DOC = path.resolve(import.meta.dirname, '../docs/errors.md');

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  writeFileSync(ERRORS_DOC, renderErrorsDoc());
  console.log('wrote docs/errors.md');
}
