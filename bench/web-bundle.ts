/**
 * Initial JavaScript of the dashboard, gzipped: the scripts index.html loads (plus the chunks
 * they preload), against the 200 KB budget; and the whole dist for comparison.
 *   npm run build:web && npx tsx bench/web-bundle.ts
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { report } from './lib.js';

const dist = path.resolve(import.meta.dirname, '../web/dist');
const BUDGET_KB = 200;

const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
const initial = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map(
  (m) => m[1]!,
);
if (initial.length === 0)
  throw new Error('no script in web/dist/index.html: build it first (npm run build:web)');

const initialGz = initial.reduce((sum, f) => sum + gz(path.join(dist, f)), 0);
const all = readdirSync(path.join(dist, 'assets')).map((f) => path.join(dist, 'assets', f));
const jsAll = all.filter((f) => f.endsWith('.js'));
const css = all.filter((f) => f.endsWith('.css'));
report('web-bundle', {
  initial_js_gzip_kb: initialGz / 1024,
  budget_kb: BUDGET_KB,
  within_budget: initialGz / 1024 <= BUDGET_KB ? 'yes' : 'NO',
  initial_js_raw_kb: initial.reduce((s, f) => s + statSync(path.join(dist, f)).size, 0) / 1024,
  all_js_gzip_kb: jsAll.reduce((s, f) => s + gz(f), 0) / 1024,
  css_gzip_kb: css.reduce((s, f) => s + gz(f), 0) / 1024,
  scripts: initial.length,
});
