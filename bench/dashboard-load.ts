/**
 * Time from navigation to the overview showing data (the database row of the dependencies table
 * with its probe result), in headless Debian Chromium against a real `sutazai up`: median of 10
 * loads of a signed-in session (each load refreshes the access token from the cookie, fetches
 * /api/v1/auth/me, then the page's data).
 *   npm run build:web && npx tsx bench/dashboard-load.ts [runs=10]
 */
import { ADMIN_PASSWORD, newPage, signIn, startHarness } from '../test/integration/dashboard/harness.js';
import { median, percentile, report } from './lib.js';

const runs = Number(process.argv[2] ?? 10);
const h = await startHarness();
try {
  const { page, context } = await newPage(h.browser);
  await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
  const times: number[] = [];
  // One warm-up load: the server's first answers compile routes and fill caches.
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    await page.goto(h.base + '/', { waitUntil: 'commit' });
    await page.locator('[data-check="database"] [data-status="up"]').waitFor({ timeout: 60_000 });
    if (i > 0) times.push(performance.now() - started);
  }
  await context.close();
  report('dashboard-load', {
    runs,
    median_ms: median(times),
    p90_ms: percentile(times, 90),
    min_ms: Math.min(...times),
    max_ms: Math.max(...times),
  });
} finally {
  await h.close();
}
