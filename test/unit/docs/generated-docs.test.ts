import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOC, renderConfigDoc } from '../../../scripts/gen-config-doc.js';
import { ERRORS_DOC, renderErrorsDoc } from '../../../scripts/gen-errors-doc.js';

// The reference pages are generated; a schema or catalogue change without regenerating fails here.
describe('generated reference docs', () => {
  it('docs/configuration.md matches the config schema (npx tsx scripts/gen-config-doc.ts)', () => {
    expect(readFileSync(CONFIG_DOC, 'utf8')).toBe(renderConfigDoc());
  });

  it('docs/errors.md matches the error catalogue (npx tsx scripts/gen-errors-doc.ts)', () => {
    expect(readFileSync(ERRORS_DOC, 'utf8')).toBe(renderErrorsDoc());
  });
});
