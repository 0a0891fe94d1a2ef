import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollama-double.js';
import { EVERYTHING } from '../../fixtures/mcp/servers.js';
import { collect, groupGone, killGroup, REPO, spawnCli, waitForLine } from '../../helpers/cli.js';

/**
 * A real `sutazai up` (auth on, PGlite, the Ollama double, the `everything` MCP server from npm,
 * one file-defined agent allowed to call its echo tool) and Debian's Chromium driven by
 * playwright-core. Never `npx playwright install`: the browser is the system's.
 */
export const ADMIN_PASSWORD = 'dashboard-test-admin-password';
export const CHROMIUM = process.env.SUTAZAI_CHROMIUM ?? '/usr/bin/chromium';
export const OUT_DIR = path.join(REPO, 'test-results', 'dashboard');
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

export interface Harness {
  base: string;
  /** The directory `sutazai up` runs in (agents/, .mcp.json, data/). */
  cwd: string;
  double: OllamaDouble;
  browser: Browser;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface HarnessOptions {
  /** Extra files written into the cwd before `sutazai up` starts (a sutazai.yaml, a compose file). */
  files?: Record<string, string>;
  /** Adds to (or overrides) the environment of `sutazai up`, e.g. a short sampler interval. */
  env?: Record<string, string>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  if (!existsSync(path.join(REPO, 'web/dist/index.html')))
    throw new Error('web/dist is not built: run `npm run build:web` (npm ci builds it)');
  const double = await startOllamaDouble({ models: ['tinyllama:latest'] });
  const cwd = mkdtempSync(path.join(tmpdir(), 'sutazai-dashboard-'));
  const agents = path.join(cwd, 'agents');
  mkdirSync(agents);
  writeFileSync(
    path.join(agents, 'echoer.md'),
    '---\nname: echoer\ndescription: repeats what it is told through the echo tool\ncapabilities: [echo]\nmodel: tinyllama\ntools: [everything__echo]\n---\nYou repeat the prompt with the echo tool.\n',
  );
  writeFileSync(
    path.join(cwd, '.mcp.json'),
    JSON.stringify({ mcpServers: { everything: { command: process.execPath, args: [EVERYTHING] } } }),
  );
  for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(path.join(cwd, name), text);
  const child = spawnCli(
    ['up'],
    {
      SUTAZAI_PORT: String(await freePort()),
      SUTAZAI_DATA_DIR: path.join(cwd, 'data'),
      SUTAZAI_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SUTAZAI_API_KEY: '',
      SUTAZAI_AGENTS_DIR: agents,
      SUTAZAI_MCP_CONFIG: path.join(cwd, '.mcp.json'),
      OLLAMA_HOST: double.url,
      SUTAZAI_LLM_DEFAULT_MODEL: 'tinyllama',
      ...options.env,
    },
    cwd,
  );
  const done = collect(child);
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      if (!(await groupGone(child.pid, 15_000))) killGroup(child.pid);
    }
    await done;
    await double.close();
  };
  try {
    const [, url] = await waitForLine(child, /ready on (http:\/\/\S+)/, 90_000);
    browser = await launchChromium();
    return { base: url!, cwd, double, browser, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** A page whose CSP violations and page errors are recorded (the app must cause none). */
export async function newPage(
  browser: Browser,
  viewport: { width: number; height: number } = VIEWPORTS.desktop,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { context, page, problems };
}

export async function signIn(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(base + '/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('whoami').waitFor();
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/**
 * axe-core's serious and critical violations on the page. The source goes in through the
 * DevTools protocol (page.evaluate), which the page's CSP does not apply to; an inline script tag
 * would (rightly) be refused.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  // A string, evaluated in the page: this file is compiled without the DOM library.
  const violations = await page.evaluate<AxeViolation[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })),
    })))`,
  );
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** An access token for `username` (admin by default), as a curl user would get one. */
export async function adminToken(
  base: string,
  username = 'admin',
  password = ADMIN_PASSWORD,
): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Registers a hook that saves a full-page screenshot of what the browser showed when a test failed. */
export function screenshotOnFailure(current: () => Page | undefined, prefix = 'failed'): void {
  beforeEach(({ task, onTestFailed }) =>
    onTestFailed(async () => {
      await current()?.screenshot({
        path: path.join(OUT_DIR, `${prefix}-${task.name.slice(0, 40).replace(/\W+/g, '-')}.png`),
        fullPage: true,
      });
    }),
  );
}

export async function api<T>(
  base: string,
  token: string,
  method: string,
  url: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(base + url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** What a browser test file works with once `useDashboard`'s beforeAll has run. */
export interface Dashboard {
  h: Harness;
  /** A page signed in as the admin (unless `signIn: false`), its CSP problems recorded. */
  page: Page;
  problems: string[];
  /** The admin's access token, for API calls beside the browser. */
  token: string;
}

export interface DashboardOptions extends HarnessOptions {
  /** Sign the page in as the admin before the tests (default true). */
  signIn?: boolean;
  /** Before `sutazai up` starts, e.g. a container its doctor will read. */
  before?: () => Promise<void>;
  /** Once signed in: the file keeps what it uses, or waits for data (sampler passes). */
  ready?: (d: Dashboard) => void | Promise<void>;
  /** After the harness is closed, e.g. removing that container. */
  after?: () => Promise<void>;
  /** The beforeAll's time limit (default 180 s). */
  timeoutMs?: number;
  /** Screenshots of failed tests are named `<prefix>-<test>.png` (default `failed`). */
  screenshotPrefix?: string;
}

/**
 * The preamble every browser test file shares: in a beforeAll, start the harness, open a page in
 * Chromium and sign in as the admin; close it all in an afterAll; screenshot failed tests. The
 * returned object is filled in by the beforeAll (read it inside tests, not at the top level).
 */
export function useDashboard(options: DashboardOptions = {}): Dashboard {
  const d = {} as Dashboard;
  beforeAll(async () => {
    mkdirSync(OUT_DIR, { recursive: true });
    await options.before?.();
    d.h = await startHarness(options);
    d.token = await adminToken(d.h.base);
    ({ page: d.page, problems: d.problems } = await newPage(d.h.browser));
    if (options.signIn !== false) await signIn(d.page, d.h.base, 'admin', ADMIN_PASSWORD);
    await options.ready?.(d);
  }, options.timeoutMs ?? 180_000);
  afterAll(async () => {
    try {
      await d.h?.close();
    } finally {
      await options.after?.();
    }
  }, 120_000);
  screenshotOnFailure(() => d.page, options.screenshotPrefix);
  return d;
}
